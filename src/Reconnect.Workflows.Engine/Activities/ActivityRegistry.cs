using System.Collections.Concurrent;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Activities;

/// <summary>
/// The activity types a runtime knows, by type name. A server adds workflows usable as activities while it runs (on
/// publish), so the map is safe to read while one is added.
/// </summary>
public sealed class ActivityRegistry
{
    private readonly ConcurrentDictionary<string, IActivity> _activities = new(StringComparer.Ordinal);

    public ActivityRegistry Add(IActivity activity)
    {
        _activities[activity.Descriptor.Type] = activity;
        return this;
    }

    public ActivityRegistry AddRange(IEnumerable<IActivity> activities)
    {
        foreach (var a in activities) Add(a);
        return this;
    }

    /// <summary>
    /// Registers a published workflow with <c>options.usableAsActivity</c> as an activity type (Elsa's naming). Returns
    /// the type name, or null when the definition is not usable as an activity.
    /// </summary>
    public string? AddWorkflowActivity(WorkflowDefinition definition)
    {
        if (!Composite.WorkflowDefinitionActivity.IsUsableAsActivity(definition)) return null;
        var activity = new Composite.WorkflowDefinitionActivity(definition);
        if (activity.Descriptor.Type.Length == 0 || (_activities.TryGetValue(activity.Descriptor.Type, out var existing) && existing is not Composite.WorkflowDefinitionActivity))
            return null;
        Add(activity);
        return activity.Descriptor.Type;
    }

    public IActivity? Find(string? type) => type is null ? null : _activities.GetValueOrDefault(type);

    public bool Contains(string type) => _activities.ContainsKey(type);

    public IEnumerable<ActivityDescriptor> Descriptors => _activities.Values.Select(a => a.Descriptor).OrderBy(d => d.Category).ThenBy(d => d.DisplayName);

    /// <summary>A registry with every built-in <c>Elsa.*</c> activity.</summary>
    public static ActivityRegistry CreateDefault() => new ActivityRegistry().AddRange(BuiltInActivities.All());
}
