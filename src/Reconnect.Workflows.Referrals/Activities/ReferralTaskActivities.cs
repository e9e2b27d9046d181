using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Tasks;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Referrals.Activities;

/// <summary>Who a task goes to.</summary>
public static class AssigneeRules
{
    /// <summary>The navigator the referral is assigned to (falls back to the site queue when none is yet).</summary>
    public const string ReferralNavigator = "ReferralNavigator";
    /// <summary>Unclaimed, in the site's queue: any navigator of the site may claim it.</summary>
    public const string SiteQueue = "SiteQueue";
    /// <summary>The service's managers.</summary>
    public const string Manager = "Manager";

    public static readonly IReadOnlyList<string> All = [ReferralNavigator, SiteQueue, Manager];
}

/// <summary>
/// Shared by navigator and manager tasks: a title and description (Liquid), a due date (a script over the referral's
/// variables, re-computed when they change), outcomes as ports.
/// </summary>
public abstract class ReferralTaskActivity : HumanTaskActivity
{
    protected abstract string DefaultAssignee { get; }

    /// <summary>Escalation after the due time when the activity does not say (docs/tasks.md, "Escalation").</summary>
    public const string DefaultEscalateAfter = "P2D";

    protected static IReadOnlyList<InputDescriptor> TaskInputs(string defaultAssignee, string[] defaultOutcomes) =>
    [
        new InputDescriptor { Name = "title", DisplayName = "Title", TypeName = "String", Required = true, DefaultSyntax = Expression.Liquid },
        new InputDescriptor { Name = "description", DisplayName = "Description", TypeName = "String", UiHint = "multiline", DefaultSyntax = Expression.Liquid },
        new InputDescriptor { Name = "assignee", DisplayName = "Assignee", TypeName = "String", UiHint = "dropdown", Options = AssigneeRules.All, DefaultValue = defaultAssignee },
        new InputDescriptor { Name = "due", DisplayName = "Due", TypeName = "DateTimeOffset", UiHint = "code", DefaultSyntax = Expression.JavaScript, Description = "A date (YYYY-MM-DD, end of that day) or instant; e.g. addDays(variables.ReferralDate, 2)" },
        new InputDescriptor { Name = "outcomes", DisplayName = "Outcomes", TypeName = "String[]", UiHint = "outcomes", Required = true, DefaultValue = new JsonArray([.. defaultOutcomes.Select(o => (JsonNode?)JsonValue.Create(o))]) },
        new InputDescriptor
        {
            Name = "escalateAfter", DisplayName = "Escalate after", TypeName = "TimeSpan", UiHint = "duration", DefaultValue = JsonValue.Create(DefaultEscalateAfter),
            Description = "How long after its due time an open task is escalated to the managers (ISO 8601, e.g. P2D, PT12H).",
        },
        new InputDescriptor { Name = "tag", DisplayName = "Tag", TypeName = "String", Description = "Marks the task for the service's measures, e.g. engagement-21 for the 21-day follow-up." },
    ];

    protected override IReadOnlyList<string> StaticOutcomes(ActivityNode node)
    {
        var expression = node.GetInput("outcomes");
        if (expression is not null && expression.Type is Expression.Literal or Expression.Object && expression.Value is not null)
            return ValueConverter.ToStringList(expression.Type == Expression.Object ? JsonValue.Create(expression.Text) : expression.Value);
        return ValueConverter.ToStringList(Descriptor.Inputs.First(i => i.Name == "outcomes").DefaultValue);
    }

    protected override IReadOnlyList<string> Outcomes(ActivityContext context)
    {
        var value = context.Evaluate("outcomes");
        var list = ValueConverter.ToStringList(value);
        return list.Count > 0 ? list : StaticOutcomes(context.Node);
    }

    protected override string Title(ActivityContext context) =>
        context.GetString("title") is { Length: > 0 } title ? title : throw new InvalidOperationException("The task has no title.");

    protected override string? Description(ActivityContext context) => context.GetString("description");

    /// <summary>A date means the end of that day in London (due "on" the date); an instant is taken as it is.</summary>
    protected override DateTimeOffset? Due(ActivityContext context)
    {
        var value = context.Evaluate("due");
        var text = ValueConverter.ToText(value);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
            return Engine.Time.LondonTime.AtLondonTime(date, new TimeOnly(23, 59, 59));
        return ValueConverter.ToInstant(value);
    }

    protected override JsonObject? Data(ActivityContext context) => new()
    {
        ["kind"] = Descriptor.Type,
        ["site"] = ReferralContext.Site(context),
        ["subjectId"] = context.CorrelationId,
        ["tag"] = context.GetString("tag"),
        ["escalateAfter"] = EscalateAfter(context),
    };

    /// <summary>The activity's <c>escalateAfter</c> as ISO 8601 (the default when unset); a bad or negative one fails the step.</summary>
    private static string EscalateAfter(ActivityContext context)
    {
        var text = context.GetString("escalateAfter");
        if (string.IsNullOrWhiteSpace(text)) return DefaultEscalateAfter;
        if (!ValueConverter.TryParseDuration(text.Trim(), out var span) || span < TimeSpan.Zero)
            throw new ArgumentException($"escalateAfter '{text}' is not a duration of zero or more (ISO 8601 such as P2D).");
        return System.Xml.XmlConvert.ToString(span);
    }

    /// <summary>The referral's navigator, a manager or the site's queue (<see cref="AssigneeRules"/>), for the referral the instance is about.</summary>
    protected override TaskAssignment? Assignment(ActivityContext context) =>
        new(context.GetString("assignee") is { Length: > 0 } rule ? rule : DefaultAssignee, context.CorrelationId, ReferralContext.Site(context));

    public override IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var outcomes = StaticOutcomes(node);
        if (outcomes.Count == 0) yield return "the task needs at least one outcome";
        if (outcomes.Distinct(StringComparer.Ordinal).Count() != outcomes.Count) yield return "an outcome appears twice";
        var assignee = node.GetInput("assignee");
        if (assignee?.Type == Expression.Literal && ValueConverter.ToText(assignee.Value) is { Length: > 0 } rule && !AssigneeRules.All.Contains(rule))
            yield return $"assignee '{rule}' is not one of {string.Join(", ", AssigneeRules.All)}";
        var escalate = node.GetInput("escalateAfter");
        if (escalate?.Type == Expression.Literal && ValueConverter.ToText(escalate.Value) is { Length: > 0 } after
            && (!ValueConverter.TryParseDuration(after.Trim(), out var span) || span < TimeSpan.Zero))
            yield return $"escalateAfter '{after}' is not a duration of zero or more (ISO 8601 such as P2D)";
    }
}

/// <summary><c>Reconnect.NavigatorTask</c>: an inbox task for the referral's navigator; continues on the chosen outcome.</summary>
public sealed class NavigatorTaskActivity : ReferralTaskActivity
{
    protected override string DefaultAssignee => AssigneeRules.ReferralNavigator;

    public override ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.NavigatorTask", DisplayName = "Navigator task", Category = "Referrals", Icon = "AssignmentInd", IsWaiting = true,
        Description = "Puts a task in the navigator's inbox and waits for its outcome; each outcome is a port.",
        Ports = ["Done"],
        DynamicPortsInput = "outcomes",
        Inputs = TaskInputs(AssigneeRules.ReferralNavigator, ["Done"]),
    };
}

/// <summary><c>Reconnect.ManagerTask</c>: a task for the service's managers (review, approval).</summary>
public sealed class ManagerTaskActivity : ReferralTaskActivity
{
    protected override string DefaultAssignee => AssigneeRules.Manager;

    public override ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.ManagerTask", DisplayName = "Manager task", Category = "Referrals", Icon = "SupervisorAccount", IsWaiting = true,
        Description = "Puts a task in the managers' inbox (a review or an approval) and waits for its outcome; each outcome is a port.",
        Ports = ["Done"],
        DynamicPortsInput = "outcomes",
        Inputs = TaskInputs(AssigneeRules.Manager, ["Approve", "Reject"]),
    };
}

public static class ReferralActivities
{
    public static IEnumerable<IActivity> All() =>
    [
        new AssignNavigatorActivity(), new SetStageActivity(), new CloseReferralActivity(), new QueryReferralsActivity(),
        new NavigatorTaskActivity(), new ManagerTaskActivity(), new RecordReleaseActivity(), new RecordHistoryActivity(),
    ];

    /// <summary>The built-in Elsa activities plus the referral domain's.</summary>
    public static ActivityRegistry CreateRegistry() => ActivityRegistry.CreateDefault().AddRange(All());
}
