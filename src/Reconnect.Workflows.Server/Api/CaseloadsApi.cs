using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Staff;

namespace Reconnect.Workflows.Server.Api;

/// <summary><c>GET /api/caseloads</c> (Manager; docs/tasks.md, "Caseloads"): binds, calls <see cref="Caseloads"/>, answers.</summary>
public static class CaseloadsApi
{
    public static IEndpointRouteBuilder MapCaseloadsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/caseloads", ListAsync).WithTags("Users").RequireAuthorization(p => p.RequireRole([.. RoleSets.Allocate]));
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<CaseloadDto>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, Caseloads caseloads, CancellationToken cancellationToken)
    {
        var (list, forbidden) = await caseloads.ListAsync(user, cancellationToken);
        return list is null
            ? TypedResults.Problem(forbidden, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
            : TypedResults.Ok(list);
    }
}
