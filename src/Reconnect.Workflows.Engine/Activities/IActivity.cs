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

    private static readonly Completed DoneResult = new(["Done"]);

    public static ActivityResult Done() => DoneResult;

    public static ActivityResult Outcomes(params string[] ports) => new Completed(ports);

    public static ActivityResult Outcomes(IReadOnlyList<string> ports) => new Completed(ports);

    public static ActivityResult Wait(params Bookmark[] bookmarks) => new Suspended(bookmarks);
}
