using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities;

/// <summary>
/// The behaviour of one activity type. Implementations are stateless singletons: what a node is configured with lives in
/// its <see cref="ActivityNode"/>, what it remembers lives in the instance state. Throwing faults the activity (an incident).
/// </summary>
public interface IActivity
{
    ActivityDescriptor Descriptor { get; }

    /// <summary>Outbound ports of a configured node (dynamic for forks, switches and tasks).</summary>
    IReadOnlyList<string> GetPorts(ActivityNode node) => Descriptor.Ports;

    ActivityResult Execute(ActivityContext context);

    /// <summary>Called when one of the node's bookmarks is resumed.</summary>
    ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input) => ActivityResult.Done();

    /// <summary>Rules beyond the generic ones (a cron that parses, a join mode that exists).</summary>
    IEnumerable<string> Validate(ActivityNode node, ValidationContext context) => [];
}

/// <summary>What an activity's execution came to.</summary>
public abstract record ActivityResult
{
    public sealed record Completed(IReadOnlyList<string> Ports) : ActivityResult;

    public sealed record Suspended(IReadOnlyList<Bookmark> Bookmarks) : ActivityResult;

    /// <summary><c>End</c>: the flowchart completes now, whatever else is pending.</summary>
    public sealed record EndFlowchart : ActivityResult;

    /// <summary><c>Finish</c>: the instance finishes now and every remaining bookmark is cancelled.</summary>
    public sealed record FinishWorkflow : ActivityResult;

    /// <summary>A container runs these children now (in this order); it hears of each one's completion through <see cref="IContainerActivity.OnChildCompleted"/>.</summary>
    public sealed record ScheduleChildren(IReadOnlyList<string> ChildIds) : ActivityResult
    {
        /// <summary>Each child's own frame (ParallelForEach's iterations); null: the container's frame.</summary>
        public IReadOnlyList<string?>? Frames { get; init; }
    }

    /// <summary><c>Complete</c>: the nearest flowchart (or the workflow) completes now with these outcomes.</summary>
    public sealed record CompleteComposite(IReadOnlyList<string> Ports) : ActivityResult;

    /// <summary><c>Break</c>: the nearest loop (else the nearest sequence) completes now; its remaining work is cancelled.</summary>
    public sealed record BreakLoop : ActivityResult;

    private static readonly Completed DoneResult = new(["Done"]);

    public static ActivityResult Done() => DoneResult;

    public static ActivityResult Outcomes(params string[] ports) => new Completed(ports);

    public static ActivityResult Outcomes(IReadOnlyList<string> ports) => new Completed(ports);

    public static ActivityResult Wait(params Bookmark[] bookmarks) => new Suspended(bookmarks);
}

/// <summary>
/// An activity that holds others (Sequence, If, loops, Fork, Switch, nested Flowchart). It starts children with
/// <see cref="ActivityResult.ScheduleChildren"/> and keeps what it must remember in <see cref="ActivityContext.ContainerState"/>
/// (in the instance state, so the pure step stays pure and a waiting child survives a restart).
/// </summary>
public interface IContainerActivity : IActivity
{
    /// <summary>
    /// A child (and everything it started) finished. <paramref name="allDone"/>: nothing else inside the container is
    /// queued or waiting. Return null to keep waiting, <see cref="ActivityResult.ScheduleChildren"/> to go on, or a
    /// completion (the rest of the container's work is then cancelled).
    /// </summary>
    ActivityResult? OnChildCompleted(ActivityContext context, string childId, bool allDone);

    /// <summary>A loop catches <c>Break</c>.</summary>
    bool IsLoop => false;
}
