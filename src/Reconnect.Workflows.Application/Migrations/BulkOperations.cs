using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Instances;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Migrations;

/// <summary>
/// Cancel or retry every instance matching a filter (issue 11): a dry run counts them; the real run is a background job
/// (<see cref="MigrationJobs"/>, the same status shape as a migration) that calls <see cref="InstanceService"/>'s own
/// cancel or retry for each instance — its own transaction, its own audit row — as the caller who asked.
/// Managers and admins (<see cref="RoleSets.ManageInstances"/>).
/// </summary>
public sealed class BulkOperations(
    IDbContextFactory<ReconnectDbContext> contexts,
    InstanceService instances,
    ControllableTimeProvider clock,
    IMigrationJobScheduler scheduler)
{
    public const int MaxInstanceIds = 10_000;

    public Task<MigrationResult> CancelAsync(ClaimsPrincipal user, BulkRequest request, CancellationToken cancellationToken = default) =>
        SubmitAsync(user, MigrationJobKinds.Cancel, request, cancellationToken);

    public Task<MigrationResult> RetryAsync(ClaimsPrincipal user, BulkRequest request, CancellationToken cancellationToken = default) =>
        SubmitAsync(user, MigrationJobKinds.Retry, request, cancellationToken);

    private async Task<MigrationResult> SubmitAsync(ClaimsPrincipal user, string kind, BulkRequest request, CancellationToken cancellationToken)
    {
        if (!RoleSets.Has(user, RoleSets.ManageInstances)) return new MigrationResult.Forbidden("Managers and admins cancel and retry instances.");
        var filter = request.Filter ?? new BulkFilter();
        var errors = Check(filter, request.InstanceIds, out var status);
        if (errors.Count > 0) return new MigrationResult.Invalid(errors);
        var ids = request.InstanceIds?.Distinct().ToList();
        if (request.DryRun)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return new MigrationResult.Counted(await Selection(db, kind, filter, status, ids).CountAsync(cancellationToken));
        }
        var plan = new JsonObject
        {
            ["filter"] = JsonSerializer.SerializeToNode(filter, JsonSerializerOptions.Web),
            ["instanceIds"] = ids is null ? null : new JsonArray([.. ids.Select(i => (JsonNode?)i)]),
            // The job acts as the caller: InstanceService checks these roles and writes the caller into each audit row.
            ["roles"] = new JsonArray([.. Roles.All.Where(user.IsInRole).Select(r => (JsonNode?)r)]),
        };
        var job = await MigrationJobs.CreateAsync(contexts, clock, user, kind, filter.DefinitionId, filter.Version, null, plan,
            db => Selection(db, kind, filter, status, ids).Select(i => i.Id), cancellationToken);
        await AuditTrail.WriteAsync(contexts, user, clock, kind == MigrationJobKinds.Cancel ? AuditActions.BulkCancel : AuditActions.BulkRetry,
            AuditTrail.Instance, null, new JsonObject { ["jobId"] = job.Id, ["total"] = job.Total });
        await scheduler.ScheduleAsync(job.Id, CancellationToken.None);
        return new MigrationResult.Started(job);
    }

    internal JobWork Work(MigrationJobRecord job)
    {
        var plan = JsonNode.Parse(job.PlanJson)!.AsObject();
        var filter = plan["filter"].Deserialize<BulkFilter>(JsonSerializerOptions.Web) ?? new BulkFilter();
        Check(filter, null, out var status);
        var ids = plan["instanceIds"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : null;
        var roles = plan["roles"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToList() : [];
        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, job.CreatedBy ?? ""), new Claim(ClaimTypes.Name, job.CreatedByName ?? ""), .. roles.Select(x => new Claim(ClaimTypes.Role, x))],
            "migration-job", ClaimTypes.Name, ClaimTypes.Role));
        return new JobWork(
            db => Selection(db, job.Kind, filter, status, ids).Select(i => i.Id),
            async (id, ct) =>
            {
                var result = job.Kind == MigrationJobKinds.Cancel ? await instances.CancelAsync(user, id, ct) : await instances.RetryAsync(user, id, ct);
                return result switch
                {
                    InstanceActionResult.Applied => null,
                    InstanceActionResult.NotFound x => x.Message,
                    InstanceActionResult.NotApplicable x => x.Message,
                    InstanceActionResult.Conflict x => x.Message,
                    InstanceActionResult.Forbidden x => x.Message,
                    _ => "Unknown outcome.",
                };
            });
    }

    /// <summary>The instances a bulk operation takes: those matching the filter that the action applies to (cancel: not ended; retry: faulted).</summary>
    internal static IQueryable<WorkflowInstanceRecord> Selection(ReconnectDbContext db, string kind, BulkFilter filter, WorkflowStatus? status, IReadOnlyList<string>? ids)
    {
        var query = db.WorkflowInstances.AsNoTracking();
        if (kind == MigrationJobKinds.Retry)
        {
            var faulted = nameof(WorkflowStatus.Faulted);
            query = query.Where(i => i.Status == faulted);
        }
        else
        {
            string finished = nameof(WorkflowStatus.Finished), cancelled = nameof(WorkflowStatus.Cancelled);
            query = query.Where(i => i.Status != finished && i.Status != cancelled);
        }
        if (status is { } st)
        {
            var text = st.ToString();
            query = query.Where(i => i.Status == text);
        }
        if (!string.IsNullOrEmpty(filter.DefinitionId)) query = query.Where(i => i.DefinitionId == filter.DefinitionId);
        if (filter.Version is { } version) query = query.Where(i => i.DefinitionVersion == version);
        if (!string.IsNullOrEmpty(filter.CorrelationId)) query = query.Where(i => i.CorrelationId == filter.CorrelationId);
        if (!string.IsNullOrEmpty(filter.ActivityId)) query = query.Where(i => db.Bookmarks.Any(b => b.InstanceId == i.Id && b.ActivityId == filter.ActivityId));
        if (ids is not null) query = query.Where(i => ids.Contains(i.Id));
        return query;
    }

    private static Dictionary<string, string[]> Check(BulkFilter filter, IReadOnlyList<string>? ids, out WorkflowStatus? status)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        status = null;
        if (filter.Status is { } text)
        {
            if (Enum.TryParse<WorkflowStatus>(text, ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(text, out _)) status = s;
            else errors["filter.status"] = [$"'{(text.Length > 50 ? text[..50] : text)}' is not one of {string.Join(", ", Enum.GetNames<WorkflowStatus>())}"];
        }
        if (filter.Version is < 1) errors["filter.version"] = ["must be 1 or more"];
        if (filter.DefinitionId is { Length: > 100 }) errors["filter.definitionId"] = ["is longer than 100 characters"];
        if (filter.ActivityId is { Length: > 100 }) errors["filter.activityId"] = ["is longer than 100 characters"];
        if (filter.CorrelationId is { Length: > 200 }) errors["filter.correlationId"] = ["is longer than 200 characters"];
        if (ids is not null && (ids.Count > MaxInstanceIds || ids.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 64)))
            errors["instanceIds"] = [$"must hold at most {MaxInstanceIds} non-empty ids"];
        return errors;
    }
}
