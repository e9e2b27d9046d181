using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// Writes one <c>ScheduleRuns</c> row per run of a schedule and keeps only the last <see cref="SchedulingOptions.RunsKept"/>
/// of each. Times come from the workflow clock, so a run after the test clock moved shows the moved time, as the
/// timers it fired do.
/// </summary>
public sealed class ScheduleRunRecorder(
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    IOptions<SchedulingOptions> options,
    ILogger<ScheduleRunRecorder> logger)
{
    public static readonly string Node = Environment.MachineName + ":" + Environment.ProcessId;

    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task RecordAsync(string scheduleName, DateTimeOffset startedAt, bool succeeded, int itemsTouched, string? message, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            db.ScheduleRuns.Add(new ScheduleRunRecord
            {
                ScheduleName = scheduleName,
                StartedAt = startedAt,
                FinishedAt = clock.GetUtcNow(),
                Succeeded = succeeded,
                ItemsTouched = itemsTouched,
                Message = message is { Length: > 2000 } ? message[..2000] : message,
                Node = Node,
            });
            await db.SaveChangesAsync(cancellationToken);
            var keep = options.Value.RunsKept;
            var cutoff = await db.ScheduleRuns.AsNoTracking()
                .Where(r => r.ScheduleName == scheduleName)
                .OrderByDescending(r => r.Id)
                .Skip(keep)
                .Select(r => (long?)r.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (cutoff is { } id)
                await db.ScheduleRuns.Where(r => r.ScheduleName == scheduleName && r.Id <= id).ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A run's record is for people to read; failing to write it must not fail (and retry) the run itself.
            logger.LogWarning(ex, "Could not record a run of schedule {Schedule}", scheduleName);
        }
    }

    public async Task<IReadOnlyList<ScheduleRun>> LastRunsAsync(string scheduleName, int count, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ScheduleRuns.AsNoTracking()
            .Where(r => r.ScheduleName == scheduleName)
            .OrderByDescending(r => r.Id)
            .Take(count)
            .Select(r => new ScheduleRun(r.Id, r.StartedAt, r.FinishedAt, r.Succeeded, r.ItemsTouched, r.Message, r.Node))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The newest run of each of these schedules (one query per name: there are a handful of schedules).</summary>
    public async Task<IReadOnlyDictionary<string, ScheduleRun>> LastRunOfEachAsync(IEnumerable<string> names, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var result = new Dictionary<string, ScheduleRun>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var last = await db.ScheduleRuns.AsNoTracking().Where(r => r.ScheduleName == name).OrderByDescending(r => r.Id)
                .Select(r => new ScheduleRun(r.Id, r.StartedAt, r.FinishedAt, r.Succeeded, r.ItemsTouched, r.Message, r.Node))
                .FirstOrDefaultAsync(cancellationToken);
            if (last is not null) result[name] = last;
        }
        return result;
    }
}
