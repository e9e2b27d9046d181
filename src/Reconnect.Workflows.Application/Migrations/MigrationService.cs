using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Migration;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Migrations;

/// <summary>
/// Moving running instances to another version of their definition (issue 11): the dry run, the job that migrates them
/// one transaction each, and one instance's migration through the store's commit (guarded by the instance's version:
/// an instance that steps meanwhile is reloaded and migrated again, never half-migrated; one already on the target
/// version is left alone). Managers only (<see cref="RoleSets.EditWorkflows"/>). docs/engine.md, "Migration".
/// </summary>
public sealed class MigrationService(
    IDbContextFactory<ReconnectDbContext> contexts,
    IWorkflowDefinitionStore definitions,
    IWorkflowInstanceStore instances,
    WorkflowRunner runner,
    ControllableTimeProvider clock,
    IMigrationJobScheduler scheduler)
{
    public const int MaxInstanceIds = 100_000;
    private const int MaxCommitAttempts = 8;

    /// <summary>Tests only: runs between loading an instance and committing its migration (to step it meanwhile).</summary>
    internal Func<string, Task>? BeforeCommit { get; set; }

    public static bool MayMigrate(ClaimsPrincipal user) => RoleSets.Has(user, RoleSets.EditWorkflows);

    /// <summary>A dry run (<see cref="MigrationRequest.DryRun"/>) or the start of the job; the same checks either way.</summary>
    public async Task<MigrationResult> SubmitAsync(ClaimsPrincipal user, string definitionId, MigrationRequest request, CancellationToken cancellationToken = default)
    {
        if (!MayMigrate(user)) return new MigrationResult.Forbidden("Managers migrate instances.");
        var errors = Check(request, out var mapping);
        if (errors.Count > 0) return new MigrationResult.Invalid(errors);
        var from = await definitions.FindVersionAsync(definitionId, request.FromVersion!.Value, cancellationToken);
        var to = await definitions.FindVersionAsync(definitionId, request.ToVersion!.Value, cancellationToken);
        if (from is null || to is null)
            return new MigrationResult.NotFound(await definitions.FindLatestAsync(definitionId, cancellationToken) is null
                ? $"No workflow '{definitionId}'."
                : $"Workflow '{definitionId}' has no version {(from is null ? request.FromVersion : request.ToVersion)}.");
        var v1 = runner.Compile(from);
        var v2 = runner.Compile(to);
        var mapErrors = WorkflowMigration.CheckMap(v1, v2, mapping);
        if (mapErrors.Count > 0) return new MigrationResult.Invalid(mapErrors.ToDictionary(e => e.Key, e => new[] { e.Value }, StringComparer.Ordinal));

        var answer = await DryRunAsync(v1, v2, definitionId, request, mapping, cancellationToken);
        if (request.DryRun) return new MigrationResult.DryRun(answer);

        if (to.IsDraft)
            return new MigrationResult.Refused($"Version {to.Version} is a draft: publish it before migrating to it.",
                new() { ["toVersion"] = [$"version {to.Version} is a draft"] });
        if (!answer.CanMigrate)
            return new MigrationResult.Refused(
                $"{answer.Unmapped.Count} waiting activit{(answer.Unmapped.Count == 1 ? "y has" : "ies have")} no counterpart in version {to.Version}: {string.Join(", ", answer.Unmapped)}.",
                answer.WaitingAt.Where(w => w.Problem is not null).ToDictionary(w => $"activityMap.{w.ActivityId}", w => new[] { w.Problem! }, StringComparer.Ordinal));

        var plan = new JsonObject
        {
            ["instanceIds"] = request.InstanceIds is null ? null : new JsonArray([.. request.InstanceIds.Distinct().Select(i => (JsonNode?)i)]),
            ["activityMap"] = new JsonObject([.. mapping.ActivityMap.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))]),
            ["variables"] = new JsonObject([.. mapping.Variables.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value == VariableChoice.New ? "new" : "keep"))]),
        };
        var job = await MigrationJobs.CreateAsync(contexts, clock, user, MigrationJobKinds.Migrate, definitionId, from.Version, to.Version, plan,
            db => Selection(db, definitionId, from.Version, request.InstanceIds).Select(i => i.Id), cancellationToken);
        await scheduler.ScheduleAsync(job.Id, CancellationToken.None);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.Migrate, AuditTrail.Definition, definitionId,
            new JsonObject { ["jobId"] = job.Id, ["from"] = from.Version, ["to"] = to.Version, ["total"] = job.Total });
        return new MigrationResult.Started(job);
    }

    private async Task<MigrationDryRun> DryRunAsync(CompiledWorkflow v1, CompiledWorkflow v2, string definitionId, MigrationRequest request,
        MigrationMapping mapping, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var selected = Selection(db, definitionId, v1.Definition.Version, request.InstanceIds);
        var count = await selected.CountAsync(cancellationToken);
        // How many people wait at each activity: distinct instances per activity of their bookmarks.
        var waiting = await db.Bookmarks.AsNoTracking()
            .Where(b => selected.Select(i => i.Id).Contains(b.InstanceId))
            .GroupBy(b => b.ActivityId)
            .Select(g => new { ActivityId = g.Key, Count = g.Select(b => b.InstanceId).Distinct().Count() })
            .ToListAsync(cancellationToken);
        var plan = WorkflowMigration.Plan(v1, v2, waiting.ToDictionary(w => w.ActivityId, w => w.Count, StringComparer.Ordinal), mapping);
        return new MigrationDryRun(
            count,
            plan.WaitingAt.Select(w => new WaitingAtDto(w.ActivityId, w.Count, w.MappedTo, plan.Problems.GetValueOrDefault(w.ActivityId))).ToList(),
            plan.Unmapped,
            plan.VariableChanges.Select(c => new VariableChangeDto(c.Name, c.From, c.To, c.Default == VariableChoice.New ? "new" : "keep")).ToList(),
            plan.CanMigrate,
            v2.Nodes.Values.Where(n => n.Activity?.Descriptor.IsWaiting == true)
                .Select(n => new TargetActivityDto(n.Node.Id, n.Node.Type, n.Node.Name)).OrderBy(a => a.Id, StringComparer.Ordinal).ToList());
    }

    /// <summary>The running or suspended instances of a version (of those named, when some are).</summary>
    internal static IQueryable<WorkflowInstanceRecord> Selection(ReconnectDbContext db, string definitionId, int version, IReadOnlyList<string>? ids)
    {
        string running = nameof(WorkflowStatus.Running), suspended = nameof(WorkflowStatus.Suspended);
        var query = db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == definitionId && i.DefinitionVersion == version && (i.Status == running || i.Status == suspended));
        if (ids is not null)
        {
            var list = ids.ToList();
            query = query.Where(i => list.Contains(i.Id));
        }
        return query;
    }

    private static Dictionary<string, string[]> Check(MigrationRequest request, out MigrationMapping mapping)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.FromVersion is not { } from) errors["fromVersion"] = ["is required"];
        else if (from < 1) errors["fromVersion"] = ["must be 1 or more"];
        if (request.ToVersion is not { } to) errors["toVersion"] = ["is required"];
        else if (to < 1) errors["toVersion"] = ["must be 1 or more"];
        if (request.FromVersion is { } f && f == request.ToVersion) errors["toVersion"] = ["must differ from fromVersion"];
        if (request.InstanceIds is { } ids)
        {
            if (ids.Count > MaxInstanceIds) errors["instanceIds"] = [$"has more than {MaxInstanceIds} ids"];
            else if (ids.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 64)) errors["instanceIds"] = ["holds an empty or over-long id"];
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (source, target) in request.ActivityMap ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(target) || target.Length > 100 || source.Length > 100) errors[$"activityMap.{Short(source)}"] = ["must name an activity of the target version"];
            else map[source] = target;
        }
        var variables = new Dictionary<string, VariableChoice>(StringComparer.Ordinal);
        foreach (var (name, choice) in request.Variables ?? new Dictionary<string, string>())
        {
            if (string.Equals(choice, "new", StringComparison.OrdinalIgnoreCase)) variables[name] = VariableChoice.New;
            else if (string.Equals(choice, "keep", StringComparison.OrdinalIgnoreCase)) variables[name] = VariableChoice.Keep;
            else errors[$"variables.{Short(name)}"] = [$"'{Short(choice ?? "null")}' is not 'keep' or 'new'"];
        }
        mapping = new MigrationMapping(map, variables);
        return errors;
    }

    private static string Short(string text) => text.Length <= 100 ? text : text[..100];

    /// <summary>The job's work: the instances still on the old version, one migration (one transaction) each.</summary>
    internal async Task<JobWork> WorkAsync(MigrationJobRecord job, CancellationToken cancellationToken)
    {
        var from = await definitions.FindVersionAsync(job.DefinitionId!, job.FromVersion!.Value, cancellationToken)
            ?? throw new InvalidOperationException($"Version {job.FromVersion} of '{job.DefinitionId}' is gone.");
        var to = await definitions.FindVersionAsync(job.DefinitionId!, job.ToVersion!.Value, cancellationToken)
            ?? throw new InvalidOperationException($"Version {job.ToVersion} of '{job.DefinitionId}' is gone.");
        var plan = JsonNode.Parse(job.PlanJson)!.AsObject();
        var ids = plan["instanceIds"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : null;
        var mapping = new MigrationMapping(
            plan["activityMap"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal) ?? [],
            plan["variables"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>() == "new" ? VariableChoice.New : VariableChoice.Keep, StringComparer.Ordinal) ?? []);
        var v1 = runner.Compile(from);
        var v2 = runner.Compile(to);
        return new JobWork(
            db => Selection(db, job.DefinitionId!, from.Version, ids).Select(i => i.Id),
            (id, ct) => MigrateOneAsync(v1, v2, mapping, id, job.CreatedBy, job.CreatedByName, job.Id, ct));
    }

    /// <summary>
    /// One instance, one transaction: load, migrate (pure), commit with the audit row; a lost race reloads and tries
    /// again. Null when it is done (or was already on the target version), else why not.
    /// </summary>
    internal async Task<string?> MigrateOneAsync(CompiledWorkflow v1, CompiledWorkflow v2, MigrationMapping mapping, string instanceId,
        string? userId, string? userName, string jobId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxCommitAttempts; attempt++)
        {
            var state = await instances.LoadAsync(instanceId, cancellationToken);
            if (state is null) return "The instance no longer exists.";
            if (state.DefinitionId == v2.Definition.DefinitionId && state.DefinitionVersion == v2.Definition.Version) return null; // already there: a no-op
            var now = clock.GetUtcNow();
            var step = WorkflowMigration.Apply(runner, v1, v2, state, mapping, now);
            if (!step.Applied) return step.Message ?? "The instance cannot be migrated.";
            step.Effects.Insert(0, new AuditEffect(now, userId, userName, AuditActions.Migrate, AuditTrail.Instance, instanceId,
                new JsonObject { ["jobId"] = jobId, ["from"] = v1.Definition.Version, ["to"] = v2.Definition.Version }));
            if (BeforeCommit is { } hook) await hook(instanceId);
            var outcome = await instances.CommitAsync(new StepCommit(step.State, step, new Stimulus.Migrate(v1.Definition.Version, v2.Definition.Version)), cancellationToken);
            if (outcome == CommitOutcome.Committed) return null;
        }
        return "The instance kept changing; it was not migrated (run the migration again to take it).";
    }

    /// <summary>A migration's or a bulk operation's progress; null when there is no such job.</summary>
    public async Task<MigrationJobDto?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.MigrationJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        return row is null ? null : MigrationJobs.ToDto(row);
    }

    internal static JsonSerializerOptions Json => JsonSerializerOptions.Web;
}
