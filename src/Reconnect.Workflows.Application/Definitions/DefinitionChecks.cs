using System.Text.RegularExpressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Application.Definitions;

/// <summary>
/// What the HTTP API checks on a definition besides the engine's validator: the shape (nulls where the model expects
/// objects, which would otherwise crash the validator) and the storage limits (id length and characters, as the id is a
/// URL segment and a column of 100 characters).
/// </summary>
public static partial class DefinitionChecks
{
    public const int MaxDefinitionIdLength = 90;
    public const int MaxNameLength = 200;
    public const int MaxActivityIdLength = 100;
    public const int MaxActivities = 2000;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex IdPattern();

    public static bool IsValidDefinitionId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxDefinitionIdLength && IdPattern().IsMatch(id);

    /// <summary>Shape errors by JSON path: the document parsed, but is not a definition the engine can read.</summary>
    public static Dictionary<string, string[]> Shape(WorkflowDefinition definition)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (definition.Variables is null) errors["variables"] = ["must be an array"];
        else for (var i = 0; i < definition.Variables.Count; i++)
                if (definition.Variables[i] is null) errors[$"variables[{i}]"] = ["must be an object"];
        if (definition.Inputs is null) errors["inputs"] = ["must be an array"];
        else for (var i = 0; i < definition.Inputs.Count; i++)
                if (definition.Inputs[i] is null) errors[$"inputs[{i}]"] = ["must be an object"];
        var root = definition.Root;
        if (root.Type is null) errors["root.type"] = ["is required"];
        if (root.Activities is { } activities)
        {
            if (activities.Count > MaxActivities) errors["root.activities"] = [$"at most {MaxActivities} activities"];
            for (var i = 0; i < activities.Count; i++)
            {
                var a = activities[i];
                if (a is null) { errors[$"root.activities[{i}]"] = ["must be an object"]; continue; }
                if (a.Id is null) errors[$"root.activities[{i}].id"] = ["is required"];
                if (a.Type is null) errors[$"root.activities[{i}].type"] = ["is required"];
            }
        }
        if (root.Connections is { } connections)
            for (var i = 0; i < connections.Count; i++)
            {
                var c = connections[i];
                if (c is null || c.Source?.Activity is null || c.Target?.Activity is null || c.Source.Port is null || c.Target.Port is null)
                    errors[$"root.connections[{i}]"] = ["must be {source {activity, port}, target {activity, port}}"];
            }
        return errors;
    }

    /// <summary>The API's own rules, as validation messages (activity type <c>field:&lt;name&gt;</c> for fields of the workflow).</summary>
    public static IEnumerable<ValidationMessage> Limits(WorkflowDefinition definition)
    {
        if (!string.IsNullOrEmpty(definition.DefinitionId) && !IsValidDefinitionId(definition.DefinitionId))
            yield return new(null, "field:definitionId",
                $"definitionId must be 1–{MaxDefinitionIdLength} letters, digits, '-', '_' or '.', starting with a letter or digit");
        if (definition.Name is { Length: > MaxNameLength })
            yield return new(null, "field:name", $"name is longer than {MaxNameLength} characters");
        foreach (var a in definition.Activities)
            if (a.Id is { Length: > MaxActivityIdLength })
                yield return new(a.Id, a.Type, $"activity id is longer than {MaxActivityIdLength} characters");
    }

    /// <summary>The engine's validation plus the API's limits, every message at once.</summary>
    public static IReadOnlyList<ValidationMessage> Validate(WorkflowValidator validator, WorkflowDefinition definition) =>
        [.. Limits(definition), .. validator.Validate(definition).Messages];
}
