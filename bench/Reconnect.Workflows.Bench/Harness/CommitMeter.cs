using System.Diagnostics.Metrics;

namespace Reconnect.Workflows.Bench.Harness;

/// <summary>
/// Listens to the store's own instruments (<c>reconnect.commit.batch.size</c>, <c>reconnect.commit.flush.duration</c>)
/// while a round runs: how many steps each transaction carried, and how much of the round the writer was busy.
/// </summary>
public sealed class CommitMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _batches, _steps;
    private double _flushSeconds;

    public CommitMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Reconnect.Workflows" && instrument.Name is "reconnect.commit.batch.size" or "reconnect.commit.flush.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _steps, value);
        });
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_listener) _flushSeconds += value;
        });
        _listener.Start();
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _batches, 0);
        Interlocked.Exchange(ref _steps, 0);
        lock (_listener) _flushSeconds = 0;
    }

    /// <summary>"mean batch 5.2, writer busy 83%" for a round of <paramref name="elapsed"/>.</summary>
    public string Describe(TimeSpan elapsed)
    {
        var batches = Interlocked.Read(ref _batches);
        double busy;
        lock (_listener) busy = _flushSeconds;
        return batches == 0 ? "no batches" : $"mean batch {(double)Interlocked.Read(ref _steps) / batches:0.0}, writer busy {busy / elapsed.TotalSeconds:P0}";
    }

    public void Dispose() => _listener.Dispose();
}
