using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Activities.Tasks;

/// <summary>
/// A task for a person: creates an inbox task (an effect) and a bookmark keyed by the task id, and continues on the port
/// named by the outcome the person chose. Due dates computed from variables follow when those variables change.
/// </summary>
public abstract class HumanTaskActivity : IActivity, IRecomputableActivity
{
    public abstract ActivityDescriptor Descriptor { get; }

    public virtual IReadOnlyList<string> GetPorts(ActivityNode node) => StaticOutcomes(node);

    public virtual IEnumerable<string> Validate(ActivityNode node, Validation.ValidationContext context) => [];

    /// <summary>Outcomes known without running anything (a literal list), for the designer and validator.</summary>
    protected virtual IReadOnlyList<string> StaticOutcomes(ActivityNode node) => Descriptor.Ports;

    protected virtual IReadOnlyList<string> Outcomes(ActivityContext context) => StaticOutcomes(context.Node);

    protected abstract string Title(ActivityContext context);

    protected virtual string? Description(ActivityContext context) => null;

    protected virtual DateTimeOffset? Due(ActivityContext context) => null;

    /// <summary>Extra data for the host (kind of task, tag, …).</summary>
    protected virtual JsonObject? Data(ActivityContext context) => null;

    /// <summary>Who should get the task, by a rule the host knows; null: the engine's plain task.</summary>
    protected virtual TaskAssignment? Assignment(ActivityContext context) => null;

    public ActivityResult Execute(ActivityContext context)
    {
        var outcomes = Outcomes(context);
        if (outcomes.Count == 0) throw new InvalidOperationException("The task has no outcomes.");
        var taskId = context.NewId();
        var due = Due(context);
        var title = Title(context);
        var payload = new JsonObject
        {
            ["taskId"] = taskId,
            ["title"] = title,
            ["outcomes"] = new JsonArray([.. outcomes.Select(o => (JsonNode?)JsonValue.Create(o))]),
            ["createdAt"] = Time.LondonTime.Format(context.Now),
        };
        if (due is not null) payload["due"] = Time.LondonTime.Format(due.Value);
        var bookmark = context.CreateBookmark(StimulusNames.Task, taskId, payload: payload);
        var data = Data(context);
        var assignment = Assignment(context);
        context.AddEffect(new CreateTaskEffect(taskId, bookmark.Id, context.Node.Id, context.Node.Type, title, Description(context), outcomes, due, data, assignment));
        var detail = new JsonObject { ["taskId"] = taskId, ["title"] = title, ["outcomes"] = payload["outcomes"]!.DeepClone() };
        if (due is not null) detail["due"] = Time.LondonTime.Format(due.Value);
        if (data is not null) detail["data"] = data.DeepClone();
        if (assignment is not null) detail["assignee"] = assignment.Rule;
        context.Trace(TraceKinds.TaskCreated, detail);
        return ActivityResult.Wait(bookmark);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        var outcomes = bookmark.Payload?["outcomes"] is JsonArray a ? a.Select(x => ValueConverter.ToText(x) ?? "").ToList() : [.. Descriptor.Ports];
        var chosen = input switch
        {
            JsonObject o => ValueConverter.ToText(o["outcome"]),
            JsonValue v => ValueConverter.ToText(v),
            _ => null,
        };
        if (chosen is null) chosen = outcomes.FirstOrDefault() ?? "Done";
        else if (!outcomes.Contains(chosen, StringComparer.Ordinal))
            throw new ArgumentException($"'{chosen}' is not an outcome of this task ({string.Join(", ", outcomes)}).");
        context.SetOutput(input?.DeepClone());
        return ActivityResult.Outcomes(chosen);
    }

    /// <summary>
    /// The task as this activity would make it now: its title, outcomes and due date (evaluated as of
    /// <paramref name="context"/>'s time). A migration gives an open task the new version's shape without re-running it.
    /// </summary>
    public TaskShape Describe(ActivityContext context) => new(Title(context), Outcomes(context), Due(context));

    public Bookmark Recompute(ActivityContext context, Bookmark bookmark)
    {
        if (bookmark.Payload?["due"] is null) return bookmark;
        var asOf = bookmark.Payload["createdAt"] is { } created ? context.AsOf(ValueConverter.ToInstant(created)) : context;
        var due = Due(asOf);
        if (due is null) return bookmark;
        var current = ValueConverter.ToInstant(bookmark.Payload["due"]);
        if (current == due.Value) return bookmark;
        var payload = (JsonObject)bookmark.Payload.DeepClone();
        payload["due"] = Time.LondonTime.Format(due.Value);
        if (bookmark.TaskId is { } taskId) context.AddEffect(new RescheduleTaskEffect(taskId, due.Value));
        // Same id: the task row and its bookmark stay linked; only the due date moved.
        return bookmark with { Payload = payload };
    }
}

/// <summary><c>Elsa.RunTask</c>: a generic task handed to the host by name; its result comes back as the activity's output.</summary>
public sealed class RunTaskActivity : HumanTaskActivity
{
    public override ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.RunTask", DisplayName = "Run task", Category = "Tasks", Icon = "Assignment", IsWaiting = true,
        Description = "Asks the host (or a person) to run a named task and waits for its result.",
        Ports = ["Done"],
        Inputs =
        [
            new InputDescriptor { Name = "taskName", DisplayName = "Task name", TypeName = "String", Required = true },
            new InputDescriptor { Name = "payload", DisplayName = "Payload", TypeName = "Object", UiHint = "code", DefaultSyntax = Expression.JavaScript },
        ],
    };

    protected override string Title(ActivityContext context) =>
        context.GetString("taskName") is { Length: > 0 } name ? name : throw new InvalidOperationException("RunTask has no task name.");

    protected override JsonObject? Data(ActivityContext context) => new() { ["taskName"] = Title(context), ["payload"] = context.Evaluate("payload") };
}

/// <summary>What a task activity makes: title, outcomes, due date.</summary>
public sealed record TaskShape(string Title, IReadOnlyList<string> Outcomes, DateTimeOffset? DueAt);
