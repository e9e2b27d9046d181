using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Application.Workflows;

// Shapes of the workflow API (docs/api.md). Fields marked Never are written as null rather than left out, because
// clients test them (a definition with no published version, a workflow-level validation message).

public sealed record DefinitionSummary(
    string DefinitionId,
    string Name,
    string? Description,
    int LatestVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? PublishedVersion,
    bool IsPublished,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record DefinitionVersionInfo(
    string DefinitionId,
    int Version,
    string Name,
    bool IsPublished,
    bool IsLatest,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? PublishedAt);

public sealed record ValidationResponse(bool Valid, IReadOnlyList<ValidationProblemItem> Problems);

public sealed record ActivityDescriptorDto(
    string Type,
    string DisplayName,
    string Category,
    string Description,
    string Icon,
    IReadOnlyList<InputDescriptorDto> Inputs,
    IReadOnlyList<string> Ports,
    string? DynamicPortsInput,
    bool IsWaiting,
    bool IsTrigger,
    bool IsTerminal);

public sealed record InputDescriptorDto(
    string Name,
    string DisplayName,
    string TypeName,
    bool Required,
    JsonNode? DefaultValue,
    string UiHint,
    string DefaultSyntax,
    IReadOnlyList<string>? Options,
    string? Description);

public sealed record StartInstanceRequest(string? DefinitionId, JsonObject? Input, string? CorrelationId);

public sealed record PublishEventRequest(string? CorrelationId, JsonNode? Payload);

public sealed record EventResponse(string EventName, string? CorrelationId, int Resumed, int Attempts);

public sealed record InstanceSummary(
    string Id,
    string DefinitionId,
    int DefinitionVersion,
    string? CorrelationId,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>For a referral's pathway instance, the referral's human reference (<c>LEI-2026-0042</c>); null otherwise.</summary>
    public string? Reference { get; init; }
}

/// <summary>What <c>InstanceService.QueryAsync</c> filters by; a null collection filters nothing.</summary>
public sealed record InstanceQuery(
    IReadOnlyCollection<Reconnect.Workflows.Engine.Execution.WorkflowStatus>? Statuses,
    IReadOnlyCollection<string>? DefinitionIds,
    string? CorrelationId,
    string? SearchTerm,
    int? Version,
    bool? HasIncidents,
    bool Ascending,
    int Skip,
    int Take);

public sealed record InstanceQueryItem(InstanceSummary Summary, string DefinitionVersionId, int IncidentCount);

public sealed record InstanceQueryPage(IReadOnlyList<InstanceQueryItem> Items, int TotalCount);

public sealed record InstancePage(IReadOnlyList<InstanceSummary> Items, int Page, int PageSize, bool HasMore);

public sealed record BookmarkDto(
    string Id,
    string ActivityId,
    string ActivityType,
    string Name,
    DateTimeOffset? Due,
    string? EventName,
    string? TaskId,
    string? CorrelationId);

public sealed record JournalLine(long Id, DateTimeOffset At, string Kind, string? ActivityId, string? ActivityType, JsonNode? Detail);

public sealed record IncidentDto(DateTimeOffset At, string ActivityId, string ActivityType, string Message, string? ExceptionType);

public sealed record InstanceDetail(
    string Id,
    string DefinitionId,
    int DefinitionVersion,
    string DefinitionVersionId,
    string? CorrelationId,
    string Status,
    IReadOnlyDictionary<string, JsonNode?> Variables,
    IReadOnlyList<BookmarkDto> Bookmarks,
    IReadOnlyList<JournalLine> Journal,
    IReadOnlyList<IncidentDto> Incidents,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>One validation message as the designer links it to a node.</summary>
public sealed record ValidationProblemItem(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? ActivityId,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] string? ActivityType,
    string Message,
    string Severity)
{
    public static ValidationProblemItem From(ValidationMessage m) =>
        new(m.ActivityId, m.ActivityType, m.Message, m.Severity == ValidationSeverity.Error ? "error" : "warning");
}
