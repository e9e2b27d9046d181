using System.Globalization;

namespace Reconnect.Workflows.Application.Checks;

/// <summary>
/// What a schedule's run did inside the steps it caused, for its <c>ScheduleRuns</c> row: the daily follow-up check's
/// checks add the rows each touched (tasks marked overdue, manager tasks raised, "Confirm release" tasks raised), so
/// the schedules page says what the run did rather than "1 instance started". Ambient (an <see cref="AsyncLocal{T}"/>)
/// because the counts are known only in the effect writer, deep inside the runtime's commit, on the job's own async flow.
/// </summary>
public sealed class ScheduleRunTally : IDisposable
{
    private static readonly AsyncLocal<ScheduleRunTally?> Ambient = new();
    private readonly List<(string What, int Count, int Batches, TimeSpan Longest)> _parts = [];
    private readonly Lock _gate = new();

    private ScheduleRunTally()
    {
    }

    /// <summary>The tally of the run this code is part of, or null outside a scheduled run.</summary>
    public static ScheduleRunTally? Current => Ambient.Value;

    /// <summary>Starts a tally for the calling async flow (and everything it awaits) until disposed.</summary>
    public static ScheduleRunTally Begin()
    {
        var tally = new ScheduleRunTally();
        Ambient.Value = tally;
        return tally;
    }

    /// <summary>Adds one batch to what's tally (a check done in several batches adds each to its one line), with how long it took.</summary>
    public void Add(string what, int count, TimeSpan took = default)
    {
        lock (_gate)
        {
            var at = _parts.FindIndex(p => p.What == what);
            if (at >= 0)
            {
                var p = _parts[at];
                _parts[at] = (what, p.Count + count, p.Batches + 1, took > p.Longest ? took : p.Longest);
            }
            else _parts.Add((what, count, 1, took));
        }
    }

    /// <summary>True when something was tallied (a workflow without checks tallies nothing).</summary>
    public bool Any
    {
        get { lock (_gate) return _parts.Count > 0; }
    }

    public int Total
    {
        get { lock (_gate) return _parts.Sum(p => p.Count); }
    }

    /// <summary>
    /// e.g. "MarkOverdueTasks 2, EscalateOverdueTasks 0, ConfirmUnconfirmedReleases 1"; a check done in several batches
    /// says how many and how long the longest held its transaction: "MarkOverdueTasks 19680 (20 batches, longest 0.41 s)".
    /// </summary>
    public string Summary
    {
        get
        {
            lock (_gate)
                return string.Join(", ", _parts.Select(p => p.What + " " + p.Count.ToString(CultureInfo.InvariantCulture)
                    + (p.Batches > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({p.Batches} batches, longest {p.Longest.TotalSeconds:0.00} s)") : "")));
        }
    }

    public void Dispose()
    {
        if (ReferenceEquals(Ambient.Value, this)) Ambient.Value = null;
    }
}
