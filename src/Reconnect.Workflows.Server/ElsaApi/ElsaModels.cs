using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Server.ElsaApi;

// The JSON shapes of Elsa 3's REST API as Elsa Studio's client (Elsa.Api.Client) reads them: camelCase, enums as
// their names. Records here are ours, written to the shapes; docs/elsa-api.md lists them per endpoint.

/// <summary>A hypermedia link; Studio enables actions by <c>rel</c> (<c>publish</c> on a definition, <c>bulk-publish</c> on the list).</summary>
public sealed record ElsaLink(string Href, string Rel, string Method);

/// <summary>Elsa's <c>PagedListResponse</c>: the page's items and the count of all matches (pages are numbered from 0).</summary>
public sealed record ElsaPagedList<T>(IReadOnlyList<T> Items, long TotalCount, IReadOnlyList<ElsaLink>? Links = null);

/// <summary>Elsa's <c>ListResponse</c>.</summary>
public sealed record ElsaList<T>(IReadOnlyList<T> Items, long Count);

/// <summary>The lists Elsa answers without a count (storage drivers, variable types, output converters).</summary>
public sealed record ElsaItems<T>(IReadOnlyList<T> Items);

public sealed record ElsaDefinitionSummary(
    string Id,
    string DefinitionId,
    string Name,
    string? Description,
    int Version,
    string ToolVersion,
    bool IsLatest,
    bool IsPublished,
    DateTimeOffset CreatedAt,
    string MaterializerName,
    bool IsMaterializerAvailable);

/// <summary>The answer to a save or publish. <c>Problems</c> is ours (Studio ignores it): set when an autosaved draft was not stored.</summary>
public sealed record ElsaSaveResponse(JsonObject WorkflowDefinition, bool AlreadyPublished, int ConsumingWorkflowCount, IReadOnlyList<ValidationProblemItem>? Problems = null);

public sealed record ElsaIsNameUnique(bool IsUnique);

public sealed record ElsaBulkPublishResponse(IReadOnlyList<string> Published, IReadOnlyList<string> AlreadyPublished, IReadOnlyList<string> NotFound, IReadOnlyList<string> UpdatedConsumers);

// ------------------------------------------------------------------------------------------------ descriptors

public sealed record ElsaActivityDescriptor(
    string TypeName,
    string Namespace,
    string Name,
    int Version,
    string Category,
    string DisplayName,
    string Description,
    IReadOnlyList<ElsaInputDescriptor> Inputs,
    IReadOnlyList<ElsaOutputDescriptor> Outputs,
    string Kind,
    IReadOnlyList<ElsaPort> Ports,
    JsonObject CustomProperties,
    JsonObject ConstructionProperties,
    bool IsContainer,
    bool IsBrowsable,
    bool IsStart,
    bool IsTerminal);

public sealed record ElsaInputDescriptor(
    string Name,
    string TypeName,
    string DisplayName,
    string? Description,
    float Order,
    bool IsBrowsable,
    bool IsSynthetic,
    bool IsWrapped,
    string UiHint,
    string? Category,
    JsonNode? DefaultValue,
    string DefaultSyntax,
    bool IsReadOnly,
    bool IsSensitive,
    JsonObject? UiSpecifications);

public sealed record ElsaOutputDescriptor(string Name, string TypeName, string DisplayName, string? Description, float Order, bool IsBrowsable, bool IsSynthetic);

/// <summary>An outbound port; <c>type</c> is <c>Flow</c> for every port of a flowchart activity.</summary>
public sealed record ElsaPort(string Name, string DisplayName, string Type, bool IsBrowsable);

public sealed record ElsaExpressionDescriptor(string Type, string DisplayName, bool IsSerializable, bool IsBrowsable, IReadOnlyDictionary<string, string> Properties);

public sealed record ElsaVariableType(string TypeName, string DisplayName, string Category, string? Description);

public sealed record ElsaStorageDriver(string TypeName, string DisplayName, double Priority, bool Deprecated);

/// <summary>Activation, log persistence and incident strategies.</summary>
public sealed record ElsaStrategy(string TypeName, string DisplayName, string? Description);

public sealed record ElsaCommitStrategy(string Name, string DisplayName, string Description);

public sealed record ElsaFeature(string Name, string Namespace, string FullName, string DisplayName, string Description);

// ------------------------------------------------------------------------------------------------ instances

public sealed record ElsaInstanceSummary(
    string Id,
    string DefinitionId,
    string DefinitionVersionId,
    int Version,
    string Status,
    string SubStatus,
    string? CorrelationId,
    string? Name,
    int IncidentCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);

public sealed record ElsaInstance(
    string Id,
    string DefinitionId,
    string DefinitionVersionId,
    int Version,
    ElsaWorkflowState WorkflowState,
    string Status,
    string SubStatus,
    string? CorrelationId,
    string? Name,
    int IncidentCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);

public sealed record ElsaWorkflowState(
    string Id,
    string DefinitionId,
    int DefinitionVersion,
    string? CorrelationId,
    string Status,
    string SubStatus,
    IReadOnlyList<ElsaBookmark> Bookmarks,
    IReadOnlyList<ElsaIncident> Incidents,
    ElsaFault? Fault,
    IReadOnlyList<JsonObject> CompletionCallbacks,
    IReadOnlyList<JsonObject> ActivityExecutionContexts,
    JsonObject Input,
    JsonObject Output,
    JsonObject Properties,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);

public sealed record ElsaBookmark(string Id, string Name, string Hash, JsonObject? Payload, string ActivityNodeId, string ActivityInstanceId, bool AutoBurn);

public sealed record ElsaException(string Type, string Message);

public sealed record ElsaIncident(string ActivityId, string ActivityNodeId, string ActivityType, string Message, ElsaException? Exception, DateTimeOffset Timestamp);

public sealed record ElsaFault(ElsaException? Exception, string Message, string? FaultedActivityId);

public sealed record ElsaLogRecord(
    string Id,
    string ActivityInstanceId,
    string? ParentActivityInstanceId,
    string ActivityId,
    string ActivityType,
    int ActivityTypeVersion,
    string? ActivityName,
    string NodeId,
    DateTimeOffset Timestamp,
    long Sequence,
    string? EventName,
    string? Message,
    string? Source,
    JsonObject? ActivityState,
    JsonNode? Payload);

public sealed record ElsaResolvedVariable(string Id, string Name, JsonNode? Value);

public sealed record ElsaActivityExecutionStats(
    string ActivityId,
    string ActivityNodeId,
    long StartedCount,
    long CompletedCount,
    long UncompletedCount,
    bool IsBlocked,
    bool IsFaulted);

public sealed record ElsaActivityExecutionReport(IReadOnlyList<ElsaActivityExecutionStats> Stats);

/// <summary>One execution of one activity as Elsa records it, rebuilt from our journal (no inputs or outputs are kept).</summary>
public sealed record ElsaActivityExecution(
    string Id,
    string WorkflowInstanceId,
    string ActivityId,
    string ActivityNodeId,
    string ActivityType,
    int ActivityTypeVersion,
    string? ActivityName,
    JsonObject? ActivityState,
    JsonObject? Payload,
    JsonObject? Outputs,
    JsonObject Properties,
    JsonObject Metadata,
    ElsaException? Exception,
    DateTimeOffset StartedAt,
    bool HasBookmarks,
    string Status,
    int AggregateFaultCount,
    DateTimeOffset? CompletedAt);

public sealed record ElsaActivityExecutionSummary(
    string Id,
    string WorkflowInstanceId,
    string ActivityId,
    string ActivityNodeId,
    string ActivityType,
    int ActivityTypeVersion,
    string? ActivityName,
    DateTimeOffset StartedAt,
    bool HasBookmarks,
    string Status,
    DateTimeOffset? CompletedAt)
{
    public static ElsaActivityExecutionSummary From(ElsaActivityExecution e) =>
        new(e.Id, e.WorkflowInstanceId, e.ActivityId, e.ActivityNodeId, e.ActivityType, e.ActivityTypeVersion, e.ActivityName, e.StartedAt, e.HasBookmarks, e.Status, e.CompletedAt);
}
