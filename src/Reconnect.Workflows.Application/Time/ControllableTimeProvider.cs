namespace Reconnect.Workflows.Application.Time;

/// <summary>
/// The workflow clock: the system clock plus an offset an admin can move forward when <c>Testing:ClockControl</c> is on
/// (never in Production). Workflows, timers, schedules and referral windows take this one, so moving it moves them all.
/// </summary>
public sealed class ControllableTimeProvider(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
