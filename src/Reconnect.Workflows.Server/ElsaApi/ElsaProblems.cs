using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// RFC 7807 answers of the Elsa-compatible API. A workflow with problems is a 400 here (our /api says 422): Studio shows a
/// save's or publish's errors only from a 400 with <c>errors</c> and <c>detail</c>.
/// </summary>
internal static class ElsaProblems
{
    public static ProblemHttpResult BadRequest(string title, Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = title, Detail = Flatten(errors) });

    public static ProblemHttpResult BadQuery(string field, string message) =>
        BadRequest("Bad query string.", new() { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, string title = "Conflict") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    /// <summary>400 with the errors keyed <c>activities.&lt;id&gt;</c> or <c>workflow</c>, and every message (warnings too) in <c>problems</c>.</summary>
    public static ProblemHttpResult Invalid(string detail, IReadOnlyList<ValidationMessage> messages)
    {
        var errors = messages.Where(m => m.Severity == ValidationSeverity.Error)
            .GroupBy(m => m.ActivityType is { } t && t.StartsWith("field:", StringComparison.Ordinal) ? t["field:".Length..] : m.ActivityId is null ? "workflow" : $"activities.{m.ActivityId}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Message).ToArray(), StringComparer.Ordinal);
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The workflow has problems",
            Detail = errors.Count == 0 ? detail : $"{detail} {Flatten(errors)}",
        };
        problem.Extensions["problems"] = messages.Select(ValidationProblemItem.From).ToList();
        return TypedResults.Problem(problem);
    }

    private static string Flatten(Dictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
}
