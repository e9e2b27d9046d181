using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Flow;

/// <summary>
/// <c>Reconnect.CancelActivities</c>: stops the listed activities wherever they wait (timers removed, tasks cancelled
/// with the reason) and goes on. Elsa 3 has no such activity (its 3.9 "alterations" cancel activities from outside the
/// workflow); a pathway needs it where one fact makes a whole stretch of waiting work moot — a release recorded early
/// cancels the pre-release tasks, wherever the person's case stands.
/// </summary>
public sealed class CancelActivitiesActivity : IActivity
{
    public const string TypeName = "Reconnect.CancelActivities";

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName, DisplayName = "Cancel activities", Category = "Flow", Icon = "Cancel",
        Description = "Stops the listed activities wherever they wait: their timers are removed and their tasks cancelled with the reason.",
        Inputs =
        [
            new InputDescriptor { Name = "activityIds", DisplayName = "Activities (ids)", TypeName = "String[]", UiHint = "outcomes", Required = true },
            new InputDescriptor { Name = "reason", DisplayName = "Reason (shown on cancelled tasks)", TypeName = "String", DefaultValue = "cancelled by the workflow" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var ids = ValueConverter.ToStringList(context.Evaluate("activityIds")).ToHashSet(StringComparer.Ordinal);
        var reason = context.GetString("reason") is { Length: > 0 } text ? text : "cancelled by the workflow";
        context.CancelActivities(ids, reason);
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var expression = node.GetInput("activityIds");
        if (expression is null || expression.Type is not (Expression.Literal or Expression.Object)) yield break;
        var ids = ValueConverter.ToStringList(expression.Value);
        if (ids.Count == 0) yield return "activityIds lists no activity to cancel";
        foreach (var id in ids)
        {
            if (id == node.Id) yield return "an activity cannot cancel itself";
            else if (!context.Definition.Activities.Any(a => a.Id == id)) yield return $"activityIds names '{id}', which is not an activity of this workflow";
        }
    }
}
