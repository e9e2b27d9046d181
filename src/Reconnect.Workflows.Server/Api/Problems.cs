using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Server.Api;

/// <summary>RFC 7807 problem details for every error this API answers (see docs/api.md).</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, string title = "Conflict") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title);

    public static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"The body is larger than {JsonBody.MaxBytes / (1024 * 1024)} MB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large");

    public static ProblemHttpResult BadRequest(string title, Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = title });

    public static ProblemHttpResult Unprocessable(string detail, Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status422UnprocessableEntity, Title = "The request cannot be applied", Detail = detail });

    /// <summary>
    /// 422 for a workflow with problems: <c>errors</c> keyed <c>activities.&lt;id&gt;</c> (or <c>workflow</c>, or the field
    /// such as <c>definitionId</c>) with the error messages, and <c>problems</c> — every message, warnings too, each with
    /// its activity id and type so the designer can put it on the node.
    /// </summary>
    public static ProblemHttpResult Invalid(string detail, IReadOnlyList<ValidationMessage> messages)
    {
        var errors = messages.Where(m => m.Severity == ValidationSeverity.Error)
            .GroupBy(ErrorKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Message).ToArray(), StringComparer.Ordinal);
        var problem = new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The workflow has problems",
            Detail = detail,
        };
        problem.Extensions["problems"] = messages.Select(ValidationProblemItem.From).ToList();
        return TypedResults.Problem(problem);
    }

    /// <summary>Fields checked by the API itself (not an activity) carry their field name as activity type "field:&lt;name&gt;".</summary>
    internal const string FieldPrefix = "field:";

    private static string ErrorKey(ValidationMessage m) =>
        m.ActivityType is { } t && t.StartsWith(FieldPrefix, StringComparison.Ordinal) ? t[FieldPrefix.Length..]
        : m.ActivityId is null ? "workflow"
        : $"activities.{m.ActivityId}";
}
