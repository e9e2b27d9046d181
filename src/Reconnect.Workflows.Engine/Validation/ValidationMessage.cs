namespace Reconnect.Workflows.Engine.Validation;

public enum ValidationSeverity
{
    Error,
    Warning,
}

/// <summary>One problem, naming the activity it is about (null for the workflow as a whole).</summary>
public sealed record ValidationMessage(string? ActivityId, string? ActivityType, string Message, ValidationSeverity Severity = ValidationSeverity.Error)
{
    /// <summary><c>activity '&lt;id&gt;' (&lt;type&gt;): message</c>, or <c>workflow: message</c>.</summary>
    public override string ToString() =>
        ActivityId is null ? $"workflow: {Message}" : $"activity '{ActivityId}' ({ActivityType}): {Message}";
}

public sealed record ValidationResult(IReadOnlyList<ValidationMessage> Messages)
{
    public IEnumerable<ValidationMessage> Errors => Messages.Where(m => m.Severity == ValidationSeverity.Error);
    public IEnumerable<ValidationMessage> Warnings => Messages.Where(m => m.Severity == ValidationSeverity.Warning);
    public bool IsValid => !Errors.Any();
}
