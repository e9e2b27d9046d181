namespace Reconnect.Workflows.Engine.Simulation;

/// <summary>A clock that only moves when told: the simulator jumps it to the next due moment, it never sleeps.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset now)
    {
        if (now < _now) throw new ArgumentOutOfRangeException(nameof(now), "A simulated clock does not go back.");
        _now = now;
    }
}
