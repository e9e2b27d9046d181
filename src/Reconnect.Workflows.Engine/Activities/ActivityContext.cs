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

    internal ActivityContext(StepContext step, ActivityNode node, DateTimeOffset? asOf = null, string? frame = null)
    {
        _step = step;
        Node = node;
        _asOf = asOf;
        Frame = frame;
    }

    /// <summary>The frame this runs in (a ParallelForEach iteration), or null.</summary>
    public string? Frame { get; }

    /// <summary>
    /// The same context with the clock read as <paramref name="instant"/>: a due date re-computed after a variable
    /// changed is evaluated as of when its task or timer was made, so "today + 2 days" stays put while "release − 7 days" follows.
    /// </summary>
    public ActivityContext AsOf(DateTimeOffset instant) => new(_step, Node, instant, Frame);

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

    public IEnumerable<string> VariableNames
    {
        get
        {
            if (!_step.Workflow.HasContainers) return _step.State.Variables.Keys;
            var names = new List<string>(_step.State.Variables.Keys);
            foreach (var locals in LocalScopes())
                foreach (var (key, _) in locals)
                    if (!names.Contains(key)) names.Add(key);
            return names;
        }
    }

    /// <summary>A workflow variable, else a local of an enclosing container (a loop's <c>CurrentValue</c>, <c>CurrentIndex</c>).</summary>
    public bool TryGetVariable(string name, out JsonNode? value)
    {
        if (_step.State.Variables.TryGetValue(name, out value)) return true;
        foreach (var locals in LocalScopes())
            if (locals.TryGetPropertyValue(name, out value)) return true;
        return false;
    }

    public void SetVariable(string name, JsonNode? value)
    {
        if (!_step.State.Variables.ContainsKey(name) && _step.Workflow.Definition.Variables.All(v => v.Name != name))
            foreach (var locals in LocalScopes())
                if (locals.ContainsKey(name))
                {
                    locals[name] = value?.DeepClone();
                    return;
                }
        _step.SetVariable(name, value);
    }

    /// <summary>The locals of the containers around this node, innermost first (the node's own when it is a container).</summary>
    private IEnumerable<JsonObject> LocalScopes()
    {
        if (!_step.Workflow.HasContainers) yield break;
        var frame = Frame;
        for (var n = _step.Workflow.Find(Node.Id); n is not null; n = n.Parent)
        {
            // An iteration's locals (ParallelForEach) live under the iteration's frame, then the container's own.
            if (frame is not null && Frames.Trim(frame, n.IsInside) != frame)
            {
                if (_step.State.Flow.Scopes.TryGetValue(Frames.Key(n.Node.Id, frame), out var iteration) && iteration["locals"] is JsonObject iterationLocals)
                    yield return iterationLocals;
                frame = Frames.Trim(frame, n.IsInside);
            }
            if (_step.State.Flow.Scopes.TryGetValue(Frames.Key(n.Node.Id, frame), out var scope) && scope["locals"] is JsonObject locals)
                yield return locals;
        }
    }

    /// <summary>For a nested flowchart: the activity it starts at.</summary>
    public string? FlowchartStart => _step.Workflow.Find(Node.Id)?.FlowStart;

    /// <summary>Drops this activity's other bookmarks (in its frame): one of several ways in was taken.</summary>
    public void RemoveOwnBookmarks() => _step.State.Bookmarks.RemoveAll(b => b.ActivityId == Node.Id && Frames.Of(b) == Frame);

    /// <summary>What this container remembers between its children (in the instance state).</summary>
    public JsonObject ContainerState
    {
        get
        {
            var key = Frames.Key(Node.Id, Frame);
            if (!_step.State.Flow.Scopes.TryGetValue(key, out var scope))
            {
                scope = [];
                _step.State.Flow.Scopes[key] = scope;
            }
            return scope;
        }
    }

    /// <summary>Sets a variable its children see (<c>CurrentValue</c>, <c>CurrentIndex</c>) for as long as this container runs.</summary>
    public void SetLocal(string name, JsonNode? value) => SetLocal(name, value, null);

    /// <summary>A local for one iteration frame of this container (ParallelForEach), or the container's own when null.</summary>
    public void SetLocal(string name, JsonNode? value, string? iterationFrame)
    {
        JsonObject scope;
        if (iterationFrame is null) scope = ContainerState;
        else
        {
            var key = Frames.Key(Node.Id, iterationFrame);
            if (!_step.State.Flow.Scopes.TryGetValue(key, out scope!))
            {
                scope = [];
                _step.State.Flow.Scopes[key] = scope;
            }
        }
        if (scope["locals"] is not JsonObject locals)
        {
            locals = [];
            scope["locals"] = locals;
        }
        locals[name] = value?.DeepClone();
    }

    /// <summary>Outcomes a script chose with <c>setOutcome</c>/<c>setOutcomes</c> (RunJavaScript).</summary>
    public IReadOnlyList<string>? ScriptOutcomes { get; private set; }

    public void SetOutcomes(IReadOnlyList<string> outcomes) => ScriptOutcomes = outcomes;

    /// <summary>
    /// Sets one of the activity's named outputs. When the node binds it to a variable (Elsa's
    /// <c>"currentValue": {"typeName", "memoryReference": {"id"}}</c>), the variable is set too.
    /// </summary>
    public void SetNamedOutput(string outputName, JsonNode? value)
    {
        var raw = Node.GetInputRaw(outputName);
        var reference = ValueConverter.ToText(raw?["memoryReference"]?["id"]);
        if (string.IsNullOrEmpty(reference)) return;
        var variable = Definition.Variables.FirstOrDefault(v => v.Id == reference) ?? Definition.Variables.FirstOrDefault(v => v.Name == reference);
        if (variable is not null) SetVariable(variable.Name, value);
    }

    /// <summary>The instance's name (Elsa's SetName).</summary>
    public void SetInstanceName(string? name) => _step.State.Name = name;

    /// <summary>A workflow output (Elsa's SetOutput at the top level).</summary>
    public void SetWorkflowOutput(string name, JsonNode? value) => _step.State.Output[name] = value?.DeepClone();

    public JsonNode? GetOutput(string activityIdOrName)
    {
        if (_step.State.Outputs.TryGetValue(activityIdOrName, out var v)) return v;
        var node = Definition.AllActivities.FirstOrDefault(a => a.Name == activityIdOrName);
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
        if (Frame is not null)
        {
            payload ??= [];
            payload["frame"] = Frame;
        }
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
