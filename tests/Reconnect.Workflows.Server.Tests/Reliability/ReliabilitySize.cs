namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// How big the reliability tests run: <c>RECONNECT_RELIABILITY_SIZE=ci</c> (the default, every CI run, a few minutes on
/// two cores) or <c>full</c> (the sizes issue 6 names, run by hand; figures in docs/reliability.md). CI makes 5 kills per
/// provider (10 in all) where full makes 10 each: a kill round is mostly the server's start-up.
/// </summary>
public sealed record ReliabilitySize(
    string Name,
    int Nodes,
    int Referrals,
    int TimerSpreadSeconds,
    int RaceInstances,
    int RaceStimuliPerInstance,
    int CrashRounds,
    int CrashStartersPerRound,
    int MemoryInstances)
{
    public const string Variable = "RECONNECT_RELIABILITY_SIZE";

    public static readonly ReliabilitySize Ci = new("ci", Nodes: 2, Referrals: 200, TimerSpreadSeconds: 20,
        RaceInstances: 200, RaceStimuliPerInstance: 5, CrashRounds: 5, CrashStartersPerRound: 4, MemoryInstances: 10_000);

    public static readonly ReliabilitySize Full = new("full", Nodes: 3, Referrals: 1_000, TimerSpreadSeconds: 60,
        RaceInstances: 200, RaceStimuliPerInstance: 5, CrashRounds: 10, CrashStartersPerRound: 8, MemoryInstances: 100_000);

    public static ReliabilitySize Current =>
        (Environment.GetEnvironmentVariable(Variable) ?? "ci").Trim().ToLowerInvariant() switch
        {
            "full" => Full,
            "ci" or "" => Ci,
            var other => throw new InvalidOperationException($"{Variable}='{other}': use ci or full."),
        };
}
