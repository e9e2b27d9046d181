using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Application.Migrations;

// Shapes of the migration and bulk endpoints (docs/api.md, "Migrations and bulk operations").

/// <summary>
/// <c>POST /api/workflow-definitions/{definitionId}/migrations</c>. No <see cref="InstanceIds"/>: every running or
/// suspended instance of <see cref="FromVersion"/>. <see cref="Variables"/> values are <c>keep</c> or <c>new</c>.
/// </summary>
public sealed record MigrationRequest(
    int? FromVersion,
    int? ToVersion,
    IReadOnlyList<string>? InstanceIds = null,
    IReadOnlyDictionary<string, string>? ActivityMap = null,
    IReadOnlyDictionary<string, string>? Variables = null,
    bool DryRun = false);

/// <summary>A dry run's answer. <see cref="CanMigrate"/> is false while any waiting activity is unmapped.</summary>
public sealed record MigrationDryRun(
    int Instances,
    IReadOnlyList<WaitingAtDto> WaitingAt,
    IReadOnlyList<string> Unmapped,
    IReadOnlyList<VariableChangeDto> VariableChanges,
    bool CanMigrate,
    IReadOnlyList<TargetActivityDto> TargetActivities);

public sealed record WaitingAtDto(
    string ActivityId,
    int Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MappedTo,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Problem = null);

/// <summary>A variable whose default differs; <see cref="Default"/> is the choice that applies (<c>keep</c> unless the request says <c>new</c>).</summary>
public sealed record VariableChangeDto(
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonNode? From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonNode? To,
    string Default);

/// <summary>An activity of the target version that a waiting activity may map to (the dialog's drop-down).</summary>
public sealed record TargetActivityDto(string Id, string Type, string? Name);

/// <summary><c>GET /api/migrations/{id}</c>: a migration's or a bulk operation's progress.</summary>
public sealed record MigrationJobDto(
    string Id,
    string Kind,
    string Status,
    int Total,
    int Migrated,
    int Failed,
    IReadOnlyList<MigrationErrorDto> Errors,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? DefinitionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? FromVersion,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? ToVersion,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? FinishedAt)
{
    public bool IsFinished => Status != MigrationJobStatus.Running;
}

public sealed record MigrationErrorDto(string InstanceId, string Message);

/// <summary>Which instances a bulk cancel or retry takes; every field optional, all given ones must match.</summary>
public sealed record BulkFilter(
    string? DefinitionId = null,
    int? Version = null,
    string? Status = null,
    string? ActivityId = null,
    string? CorrelationId = null);

/// <summary><c>POST /api/workflow-instances/bulk-cancel</c> and <c>/bulk-retry</c>.</summary>
public sealed record BulkRequest(BulkFilter? Filter, bool DryRun = false, IReadOnlyList<string>? InstanceIds = null);

/// <summary>A bulk dry run: how many instances the real run would take.</summary>
public sealed record BulkCount(int Count);

public static class MigrationJobStatus
{
    public const string Running = "Running";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
}

public static class MigrationJobKinds
{
    public const string Migrate = "migrate";
    public const string Cancel = "cancel";
    public const string Retry = "retry";
}

/// <summary>What a migration or bulk request came to, before it becomes an HTTP answer or a message in the dialog.</summary>
public abstract record MigrationResult
{
    private MigrationResult() { }

    public sealed record DryRun(MigrationDryRun Answer) : MigrationResult;

    public sealed record Counted(int Count) : MigrationResult;

    /// <summary>The background job was created; follow it at <c>/api/migrations/{id}</c>.</summary>
    public sealed record Started(MigrationJobDto Job) : MigrationResult;

    /// <summary>The request is malformed: errors by field name (400).</summary>
    public sealed record Invalid(Dictionary<string, string[]> Errors) : MigrationResult;

    /// <summary>Unknown definition or version (404).</summary>
    public sealed record NotFound(string Message) : MigrationResult;

    /// <summary>Well-formed but cannot be done: each unmapped activity named (422).</summary>
    public sealed record Refused(string Message, Dictionary<string, string[]> Errors) : MigrationResult;

    public sealed record Forbidden(string Message) : MigrationResult;
}
