namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// The reliability tests run one after another (not beside each other): each starts several server processes and
/// loads them, and the timer lateness and working sets they report should be their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "Reliability";
}
