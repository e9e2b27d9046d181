using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Reconnect.Workflows.Server.Api;

/// <summary><c>GET /api/audit</c>: the audit trail, newest first, as JSON or (<c>Accept: text/csv</c>) CSV (docs/security.md).</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ReadAsync).WithTags("Audit").RequireAuthorization(p => p.RequireRole([.. AuditLog.ReadRoles]));
        return app;
    }

    private static async Task<Results<Ok<AuditPage>, ContentHttpResult, ProblemHttpResult>> ReadAsync(
        string? referralId, string? userId, string? action, string? from, string? to, string? page, string? pageSize,
        HttpRequest request, ClaimsPrincipal user, AuditLog log, CancellationToken cancellationToken)
    {
        var query = AuditQuery.TryParse(referralId, userId, action, from, to, page, pageSize, out var errors);
        if (query is null) return Problems.BadRequest("Bad query string.", errors);
        switch (await log.QueryAsync(user, query, cancellationToken))
        {
            case AuditLogResult.Page found:
                var wantsCsv = request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
                return wantsCsv
                    ? TypedResults.Text(AuditLog.ToCsv(found.Entries.Items), "text/csv; charset=utf-8")
                    : TypedResults.Ok(found.Entries);
            case AuditLogResult.Forbidden forbidden:
                return TypedResults.Problem(forbidden.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
            default:
                throw new InvalidOperationException("Unknown audit result.");
        }
    }
}
