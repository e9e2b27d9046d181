using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Activities;

/// <summary>What an activity sees while it runs: its node, its inputs evaluated, the instance's variables, the step's clock, and a way to record effects.</summary>
public sealed class ActivityContext : IExpressionContext
{
    private readonly StepContext _step;

    private readonly DateTimeOffset? _asOf;

    internal ActivityContext(StepContext step, ActivityNode node, DateTimeOffset? asOf = null)
    {
        _step = step;
        Node = node;
        _asOf = asOf;
    }

    /// <summary>
    /// The same context with the clock read as <paramref name="instant"/>: a due date re-computed after a variable
    /// changed is evaluated as of when its task or timer was made, so "today + 2 days" stays put while "release − 7 days" follows.
    /// </summary>
    public ActivityContext AsOf(DateTimeOffset instant) => new(_step, Node, instant);

    public ActivityNode Node { get; }
    public WorkflowDefinition Definition => _step.Workflow.Definition;
    public WorkflowState State => _step.State;
    public DateTimeOffset Now => _asOf ?? _step.Now;
    public string InstanceId => _step.State.Id;
    public JsonObject Input => _step.State.Input;
    public JsonNode? LastResult => _step.State.LastResult;

    public string? CorrelationId
    {
        get => _step.State.CorrelationId;
        set => _step.State.CorrelationId = value;
    }

    /// <summary>The activity that triggered this instance, when one did (cron, event start).</summary>
    public bool IsTriggerOfWorkflow => _step.TriggerActivityId == Node.Id;

    public IEnumerable<string> VariableNames => _step.State.Variables.Keys;

    public bool TryGetVariable(string name, out JsonNode? value) => _step.State.Variables.TryGetValue(name, out value);

    public void SetVariable(string name, JsonNode? value) => _step.SetVariable(name, value);

    public JsonNode? GetOutput(string activityIdOrName)
    {
        if (_step.State.Outputs.TryGetValue(activityIdOrName, out var v)) return v;
        var node = Definition.Activities.FirstOrDefault(a => a.Name == activityIdOrName);
        return node is not null && _step.State.Outputs.TryGetValue(node.Id, out v) ? v : null;
    }

    public void SetOutput(JsonNode? value)
    {
        _step.State.Outputs[Node.Id] = value;
        _step.State.LastResult = value?.DeepClone();
    }

    /// <summary>Evaluates an input; null when the node does not set it (the descriptor's default applies).</summary>
    public JsonNode? Evaluate(string inputName)
    {
        var expression = Node.GetInput(inputName);
        if (expression is null || expression.Value is null && expression.Type == Expression.Literal)
            return _step.Runner.Registry.Find(Node.Type)?.Descriptor.Inputs.FirstOrDefault(i => i.Name == inputName)?.DefaultValue?.DeepClone();
        return _step.Runner.Evaluator.Evaluate(expression, this);
    }

    public JsonNode? Evaluate(Expression? expression) => _step.Runner.Evaluator.Evaluate(expression, this);

    public string? GetString(string inputName) => ValueConverter.ToText(Evaluate(inputName));

    public bool GetBool(string inputName) => ValueConverter.ToBool(Evaluate(inputName));

    public string NewId() => _step.Runner.NewId();

    /// <summary>Stops other activities of the flowchart: their queued work, bookmarks and tasks (cancelled with <paramref name="reason"/>).</summary>
    public void CancelActivities(IReadOnlySet<string> activityIds, string reason) =>
        (_step.Run ?? throw new InvalidOperationException("No flowchart is running.")).Cancel(activityIds, reason);

    public void AddEffect(WorkflowEffect effect) => _step.Result.Effects.Add(effect);

    /// <summary>A WriteLine: a <c>log</c> line in the journal.</summary>
    public void Log(string text) => _step.AddTrace(TraceKinds.Log, Node, new JsonObject { ["text"] = text });

    public void Trace(string kind, JsonNode? detail) => _step.AddTrace(kind, Node, detail);

    /// <summary>A bookmark for this node. The key comes from <see cref="BookmarkKey"/> only.</summary>
    public Bookmark CreateBookmark(string stimulusName, string? discriminator, DateTimeOffset? dueAt = null, JsonObject? payload = null, string? id = null)
    {
        var bookmarkId = id ?? NewId();
        var hash = stimulusName == StimulusNames.Timer ? BookmarkKey.ForTimer(bookmarkId) : BookmarkKey.Compute(stimulusName, discriminator);
        return new Bookmark
        {
            Id = bookmarkId,
            ActivityId = Node.Id,
            ActivityType = Node.Type,
            Name = stimulusName,
            Hash = hash,
            CorrelationId = CorrelationId,
            DueAt = dueAt,
            CreatedAt = Now,
            Payload = payload,
        };
    }

    public Bookmark CreateTimer(DateTimeOffset dueAt, JsonObject? payload = null) =>
        CreateBookmark(StimulusNames.Timer, null, dueAt, payload);
}
