using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Migrations;

/// <summary>What a job does: which instances it still has to take (a query), and what it does to one (null: done; else why not).</summary>
internal sealed record JobWork(Func<ReconnectDbContext, IQueryable<string>> Select, Func<string, CancellationToken, Task<string?>> Apply);

/// <summary>
/// Starts a job in the background. The host's is a Quartz job (persistent, so a job survives a restart); without one,
/// <see cref="InProcessMigrationJobScheduler"/> runs it on the thread pool.
/// </summary>
public interface IMigrationJobScheduler
{
    Task ScheduleAsync(string jobId, CancellationToken cancellationToken = default);
}

/// <summary>Runs jobs in this process (tests, the CLI-less default); the host replaces it with Quartz.</summary>
public sealed class InProcessMigrationJobScheduler(IServiceProvider services) : IMigrationJobScheduler
{
    private readonly ConcurrentDictionary<string, Task> _runs = new(StringComparer.Ordinal);

    public Task ScheduleAsync(string jobId, CancellationToken cancellationToken = default)
    {
        _runs[jobId] = Task.Run(() => services.GetRequiredService<MigrationJobs>().RunAsync(jobId, CancellationToken.None), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Waits for a job started here (tests).</summary>
    public Task WaitAsync(string jobId) => _runs.TryGetValue(jobId, out var run) ? run : Task.CompletedTask;
}

/// <summary>
/// Runs migration and bulk jobs: the instances still to take, in id order after the job's cursor (ids grow with
/// creation) and no later than the last one matched when the job was made, a batch at a time, each instance in its own
/// transaction; progress and the cursor are saved after each batch. Each instance's work is idempotent (a migrated
/// instance is no longer on the old version; a cancelled one no longer matches), so a job restarted after a crash just
/// continues. One run per job at a time in this process; the host's scheduler keeps it to one in a cluster.
/// </summary>
public sealed class MigrationJobs(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, IServiceProvider services, ILogger<MigrationJobs> logger)
{
    public const int BatchSize = 100;
    public const int MaxErrors = 100;
    /// <summary>Instances handled at once within a batch.</summary>
    public const int Parallelism = 8;
    private readonly ConcurrentDictionary<string, byte> _running = new(StringComparer.Ordinal);

    /// <summary>Runs (or continues) a job to its end. A job that is not running any more is left alone.</summary>
    public async Task RunAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_running.TryAdd(jobId, 0)) return;
        try
        {
            MigrationJobRecord? job;
            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                job = await db.MigrationJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
            if (job is null || job.Status != MigrationJobStatus.Running) return;
            try
            {
                var work = await WorkAsync(job, cancellationToken);
                var upTo = JsonNode.Parse(job.PlanJson)?["upTo"]?.GetValue<string>();
                var cursor = job.Cursor;
                while (true)
                {
                    List<string> batch;
                    await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                    {
                        var query = work.Select(db);
                        if (upTo is not null) query = query.Where(id => string.Compare(id, upTo) <= 0);
                        if (cursor is not null) query = query.Where(id => string.Compare(id, cursor) > 0);
                        batch = await query.OrderBy(id => id).Take(BatchSize).ToListAsync(cancellationToken);
                    }
                    if (batch.Count == 0) break;
                    var done = 0;
                    var errors = new List<MigrationErrorDto>();
                    // A few instances at once: their commits share transactions (the store's group commit); each is still its own step.
                    await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (id, ct) =>
                    {
                        string? error;
                        try { error = await work.Apply(id, ct); }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            logger.LogWarning(ex, "Job {JobId}: instance {InstanceId} failed", jobId, id);
                            error = ex.Message;
                        }
                        if (error is null) Interlocked.Increment(ref done);
                        else lock (errors) errors.Add(new MigrationErrorDto(id, error));
                    });
                    cursor = batch[^1];
                    await SaveProgressAsync(jobId, cursor, done, errors, cancellationToken);
                }
                await FinishAsync(jobId, MigrationJobStatus.Completed, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Job {JobId} failed", jobId);
                await FinishAsync(jobId, MigrationJobStatus.Failed, ex.Message);
            }
        }
        finally
        {
            _running.TryRemove(jobId, out _);
        }
    }

    private Task<JobWork> WorkAsync(MigrationJobRecord job, CancellationToken cancellationToken) => job.Kind switch
    {
        MigrationJobKinds.Migrate => services.GetRequiredService<MigrationService>().WorkAsync(job, cancellationToken),
        MigrationJobKinds.Cancel or MigrationJobKinds.Retry => Task.FromResult(services.GetRequiredService<BulkOperations>().Work(job)),
        _ => throw new InvalidOperationException($"Unknown job kind '{job.Kind}'."),
    };

    /// <summary>Jobs that were running when the process stopped: the host schedules them again at start-up.</summary>
    public async Task<IReadOnlyList<string>> RunningAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MigrationJobs.AsNoTracking().Where(j => j.Status == MigrationJobStatus.Running).Select(j => j.Id).ToListAsync(cancellationToken);
    }

    private async Task SaveProgressAsync(string jobId, string cursor, int done, List<MigrationErrorDto> errors, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.MigrationJobs.FirstAsync(j => j.Id == jobId, cancellationToken);
        row.Cursor = cursor;
        row.Migrated += done;
        row.Failed += errors.Count;
        if (errors.Count > 0)
        {
            var list = JsonNode.Parse(row.ErrorsJson) as JsonArray ?? [];
            foreach (var e in errors)
                if (list.Count < MaxErrors) list.Add(new JsonObject { ["instanceId"] = e.InstanceId, ["message"] = e.Message.Length > 500 ? e.Message[..500] : e.Message });
            row.ErrorsJson = list.ToJsonString();
        }
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task FinishAsync(string jobId, string status, string? message)
    {
        // Not the caller's token: the outcome must be recorded even when the run was stopped.
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        var row = await db.MigrationJobs.FirstAsync(j => j.Id == jobId, CancellationToken.None);
        row.Status = status;
        if (message is not null)
        {
            var list = JsonNode.Parse(row.ErrorsJson) as JsonArray ?? [];
            list.Add(new JsonObject { ["instanceId"] = "", ["message"] = message.Length > 500 ? message[..500] : message });
            row.ErrorsJson = list.ToJsonString();
        }
        row.FinishedAt = row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>A new job row, its total counted from <paramref name="select"/> now (and the last id matched kept as its bound).</summary>
    internal static async Task<MigrationJobDto> CreateAsync(IDbContextFactory<ReconnectDbContext> contexts, TimeProvider clock, ClaimsPrincipal user,
        string kind, string? definitionId, int? fromVersion, int? toVersion, JsonObject plan, Func<ReconnectDbContext, IQueryable<string>> select,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var total = await select(db).CountAsync(cancellationToken);
        plan["upTo"] = await select(db).OrderByDescending(id => id).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var row = new MigrationJobRecord
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Kind = kind,
            DefinitionId = definitionId,
            FromVersion = fromVersion,
            ToVersion = toVersion,
            PlanJson = plan.ToJsonString(),
            Status = total == 0 ? MigrationJobStatus.Completed : MigrationJobStatus.Running,
            Total = total,
            CreatedBy = user.FindFirstValue(ClaimTypes.NameIdentifier),
            CreatedByName = user.Identity?.Name,
            CreatedAt = now,
            UpdatedAt = now,
            FinishedAt = total == 0 ? now : null,
        };
        db.MigrationJobs.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return ToDto(row);
    }

    internal static MigrationJobDto ToDto(MigrationJobRecord row) => new(
        row.Id, row.Kind, row.Status, row.Total, row.Migrated, row.Failed,
        (JsonNode.Parse(row.ErrorsJson) as JsonArray ?? []).Select(e => new MigrationErrorDto(e?["instanceId"]?.GetValue<string>() ?? "", e?["message"]?.GetValue<string>() ?? "")).ToList(),
        row.DefinitionId, row.FromVersion, row.ToVersion, row.CreatedAt, row.FinishedAt);
}
