using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// The schedules use cases (SPEC §5, §7): schedulers, admins and managers read (<see cref="RoleSets.ReadSchedules"/>);
/// schedulers and admins run now, pause, resume and retime (<see cref="RoleSets.ManageSchedules"/>, checked here), each
/// change audited under the subject <c>Schedule</c>. <c>/api/schedules</c> and the schedules page call these methods.
/// Fire times are real instants: Quartz runs on the real clock, not the workflow clock.
/// </summary>
public sealed class ScheduleService(IScheduleControl scheduler, ScheduleRunRecorder runs, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock)
{
    public const string Subject = "Schedule";
    public const string TimeZone = "Europe/London";

    public async Task<IReadOnlyList<ScheduleView>> ListAsync(CancellationToken cancellationToken = default)
    {
        var list = await scheduler.ListAsync(cancellationToken);
        var last = await runs.LastRunOfEachAsync(list.Select(s => s.Name), cancellationToken);
        return list.Select(s => new ScheduleView(s, last.GetValueOrDefault(s.Name))).ToList();
    }

    /// <summary>The newest runs of a schedule (1-100), or null when there is no such schedule.</summary>
    public async Task<IReadOnlyList<ScheduleRun>?> RunsAsync(string name, int count, CancellationToken cancellationToken = default)
    {
        if (await scheduler.FindAsync(name, cancellationToken) is null) return null;
        return await runs.LastRunsAsync(name, Math.Clamp(count, 1, 100), cancellationToken);
    }

    /// <summary>A cron expression as a user types it (5 fields, or Quartz's 6-7) in Quartz's form with its next fire times.</summary>
    public static bool TryPreview(string? cron, out string quartz, out IReadOnlyList<DateTimeOffset> nextFireTimes, out string error)
    {
        nextFireTimes = [];
        if (!QuartzCron.TryFromUser(cron, out var q, out var e))
        {
            (quartz, error) = ("", e);
            return false;
        }
        (quartz, error) = (q, "");
        nextFireTimes = QuartzCron.NextFireTimes(q, TimeProvider.System.GetUtcNow());
        return true;
    }

    public Task<ScheduleChangeResult> TriggerAsync(ClaimsPrincipal user, string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(user, name, AuditActions.Trigger, scheduler.TriggerAsync, cancellationToken);

    public Task<ScheduleChangeResult> PauseAsync(ClaimsPrincipal user, string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(user, name, AuditActions.Pause, scheduler.PauseAsync, cancellationToken);

    public Task<ScheduleChangeResult> ResumeAsync(ClaimsPrincipal user, string name, CancellationToken cancellationToken = default) =>
        ChangeAsync(user, name, AuditActions.Resume, scheduler.ResumeAsync, cancellationToken);

    /// <summary>
    /// Changes a workflow schedule's cron (5 fields crontab, or Quartz's 6-7, Europe/London). Refused for an invalid
    /// expression and for the timer dispatcher (it runs on an interval from configuration).
    /// </summary>
    public async Task<ScheduleChangeResult> RetimeAsync(ClaimsPrincipal user, string name, string? cron, CancellationToken cancellationToken = default)
    {
        if (!MayManage(user)) return Refused();
        if (await scheduler.FindAsync(name, cancellationToken) is null) return new ScheduleChangeResult.NotFound(name);
        if (!QuartzCron.TryFromUser(cron, out var quartz, out var error)) return new ScheduleChangeResult.InvalidCron(error);
        switch (await scheduler.RetimeAsync(name, quartz, cancellationToken))
        {
            case RetimeOutcome.NotFound:
                return new ScheduleChangeResult.NotFound(name);
            case RetimeOutcome.NotCron:
                return new ScheduleChangeResult.InvalidCron(
                    $"'{name}' runs on an interval set by configuration (Scheduling:TimerDispatchIntervalSeconds), not on a cron expression.");
        }
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.Retime, Subject, name, new JsonObject { ["cron"] = quartz });
        return await DescribeAsync(name, QuartzCron.NextFireTimes(quartz, TimeProvider.System.GetUtcNow()), cancellationToken);
    }

    public static bool MayManage(ClaimsPrincipal user) => RoleSets.Has(user, RoleSets.ManageSchedules);

    private async Task<ScheduleChangeResult> ChangeAsync(ClaimsPrincipal user, string name, string action,
        Func<string, CancellationToken, Task<bool>> change, CancellationToken cancellationToken)
    {
        if (!MayManage(user)) return Refused();
        if (!await change(name, cancellationToken)) return new ScheduleChangeResult.NotFound(name);
        await AuditTrail.WriteAsync(contexts, user, clock, action, Subject, name);
        return await DescribeAsync(name, [], cancellationToken);
    }

    private async Task<ScheduleChangeResult> DescribeAsync(string name, IReadOnlyList<DateTimeOffset> nextFireTimes, CancellationToken cancellationToken)
    {
        var info = await scheduler.FindAsync(name, cancellationToken)
            ?? throw new InvalidOperationException($"Schedule '{name}' disappeared while it was being changed.");
        var last = await runs.LastRunOfEachAsync([name], cancellationToken);
        return new ScheduleChangeResult.Changed(new ScheduleView(info, last.GetValueOrDefault(name)), nextFireTimes);
    }

    private static ScheduleChangeResult.Forbidden Refused() =>
        new("Running, pausing, resuming and retiming schedules is for schedulers and admins.");
}
