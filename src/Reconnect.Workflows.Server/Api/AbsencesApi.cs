using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Staff;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/users/{id}/absences</c> (docs/tasks.md, "Absence and cover"): a navigator their own, a manager anyone's.
/// Each endpoint binds, calls <see cref="Absences"/> and maps its answer.
/// </summary>
public static class AbsencesApi
{
    public static IEndpointRouteBuilder MapAbsencesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users/{id}/absences").WithTags("Users").RequireAuthorization(p => p.RequireRole([.. RoleSets.Absences]));
        group.MapGet("/", ListAsync);
        group.MapPost("/", CreateAsync).Accepts<CreateAbsenceRequest>("application/json");
        group.MapDelete("/{absenceId}", DeleteAsync);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<AbsenceDto>>, ProblemHttpResult>> ListAsync(string id, ClaimsPrincipal user, Absences absences, CancellationToken cancellationToken) =>
        await absences.ListAsync(user, id, cancellationToken) switch
        {
            AbsenceResult.Listed listed => TypedResults.Ok(listed.Absences),
            var other => Refused(other),
        };

    private static async Task<Results<Created<AbsenceDto>, ProblemHttpResult>> CreateAsync(string id, HttpRequest request, ClaimsPrincipal user, Absences absences, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateAbsenceRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return await absences.CreateAsync(user, id, body!, cancellationToken) switch
        {
            AbsenceResult.Done done => TypedResults.Created($"/api/users/{Uri.EscapeDataString(id)}/absences/{done.Absence.Id}", done.Absence),
            var other => Refused(other),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, string absenceId, ClaimsPrincipal user, Absences absences, CancellationToken cancellationToken) =>
        await absences.DeleteAsync(user, id, absenceId, cancellationToken) switch
        {
            AbsenceResult.Deleted => TypedResults.NoContent(),
            var other => Refused(other),
        };

    private static ProblemHttpResult Refused(AbsenceResult result) => result switch
    {
        AbsenceResult.NotFound n => Problems.NotFound(n.Message),
        AbsenceResult.Forbidden f => TypedResults.Problem(f.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        AbsenceResult.Conflict c => Problems.Conflict(c.Message),
        AbsenceResult.Invalid { Unprocessable: true } i => Problems.Unprocessable("The person named cannot cover this absence.", new(i.Errors, StringComparer.Ordinal)),
        AbsenceResult.Invalid i => Problems.BadRequest("The absence has problems.", new(i.Errors, StringComparer.Ordinal)),
        _ => throw new InvalidOperationException("Unknown absence result."),
    };
}
