using System.Globalization;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>
/// One <see cref="PathwayKit"/> per provider for a whole test class, started on first use and disposed after the class:
/// for classes whose tests never move the clock and keep to their own referrals (a server start is most of a test's time).
/// </summary>
public sealed class SharedPathwayKits : IAsyncLifetime
{
    private static int _prisonNumbers;
    private readonly Dictionary<string, Task<PathwayKit>> _kits = new(StringComparer.Ordinal);

    /// <summary>A prison number no other referral of this test run has (A0001AA, A0002AA, …).</summary>
    public static string NextPrisonNumber()
    {
        var n = Interlocked.Increment(ref _prisonNumbers);
        return string.Create(CultureInfo.InvariantCulture, $"A{n % 10_000:0000}{(char)('A' + n / 10_000 % 26)}A");
    }

    internal Task<PathwayKit> GetAsync(string provider)
    {
        lock (_kits)
        {
            if (!_kits.TryGetValue(provider, out var kit)) _kits[provider] = kit = PathwayKit.StartAsync(provider);
            return kit;
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var kit in _kits.Values)
        {
            try { await (await kit).DisposeAsync(); }
            catch (Exception) when (!kit.IsCompletedSuccessfully) { /* it never started: its test reported why */ }
        }
    }
}
