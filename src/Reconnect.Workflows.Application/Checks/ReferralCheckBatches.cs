using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Activities;

namespace Reconnect.Workflows.Application.Checks;

/// <summary>
/// The rest of a check after its step committed: the step's transaction did each check's first batch
/// (<see cref="ReferralChecksRunner.BatchSize"/> rows); this carries on, one short transaction per batch, until a batch
/// is not full. The scheduled run (the cron job that starts the daily check) calls it with the step's result, so the
/// run's row on the schedules page counts every batch. Exactly-once holds batch by batch: each picks only rows no
/// earlier batch has handled.
/// </summary>
public sealed class ReferralCheckBatches(IDbContextFactory<ReconnectDbContext> contexts)
{
    /// <summary>Continues every check the step ran (none: nothing to do). Returns the rows touched after the step.</summary>
    public async Task<int> ContinueAsync(RunResult result, CancellationToken cancellationToken = default)
    {
        if (!result.Succeeded || result.Step is not { } step || result.State is not { } state) return 0;
        var total = 0;
        foreach (var check in step.Effects.OfType<RunCheckEffect>())
        {
            var tally = ScheduleRunTally.Current;
            var touched = await ReferralChecksRunner.ContinueAsync(contexts, state.Id, state.UpdatedAt, check,
                tally is null ? null : (count, took) => { if (count > 0) tally.Add(check.Check, count, took); }, cancellationToken);
            total += touched;
        }
        return total;
    }
}
