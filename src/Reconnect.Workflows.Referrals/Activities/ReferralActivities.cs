using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Referrals.Activities;

/// <summary>The referral an activity acts on is the instance's correlation id (the referral id).</summary>
internal static class ReferralContext
{
    public static string ReferralId(ActivityContext context) =>
        context.CorrelationId is { Length: > 0 } id ? id : throw new InvalidOperationException("The instance has no correlation id: it is not running for a referral.");

    public static string? Site(ActivityContext context) =>
        context.TryGetVariable("Site", out var site) ? ValueConverter.ToText(site) : ValueConverter.ToText(context.Input["site"]);

    public static IEnumerable<string> ValidateEnum<T>(ActivityNode node, string input) where T : struct, Enum
    {
        var expression = node.GetInput(input);
        if (expression is null || expression.Type != Expression.Literal || expression.Value is null) yield break;
        var text = ValueConverter.ToText(expression.Value);
        if (!Enum.TryParse<T>(text, out _)) yield return $"{input} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>())}";
    }
}

/// <summary><c>Reconnect.AssignNavigator</c>: the navigator at the referral's site with the fewest open tasks.</summary>
public sealed class AssignNavigatorActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.AssignNavigator", DisplayName = "Assign navigator", Category = "Referrals", Icon = "PersonAdd",
        Description = "Gives the referral to the navigator at its site with the fewest open tasks.",
        Inputs = [new InputDescriptor { Name = "site", DisplayName = "Site (default: the referral's)", TypeName = "String", DefaultSyntax = Expression.JavaScript }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var site = context.GetString("site") is { Length: > 0 } s ? s : ReferralContext.Site(context);
        context.AddEffect(new AssignNavigatorEffect(ReferralContext.ReferralId(context), site));
        return ActivityResult.Done();
    }
}

/// <summary><c>Reconnect.SetStage</c>.</summary>
public sealed class SetStageActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.SetStage", DisplayName = "Set stage", Category = "Referrals", Icon = "Timeline",
        Description = "Moves the referral to a stage (Received, Triage, PreRelease, PostRelease, Closed).",
        Inputs = [new InputDescriptor { Name = "stage", DisplayName = "Stage", TypeName = "String", Required = true, UiHint = "dropdown", Options = Enum.GetNames<ReferralStage>() }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var text = context.GetString("stage");
        if (!Enum.TryParse<ReferralStage>(text, out var stage)) throw new ArgumentException($"'{text}' is not a stage.");
        context.SetVariable("Stage", JsonValue.Create(stage.ToString()));
        context.AddEffect(new SetStageEffect(ReferralContext.ReferralId(context), stage));
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) => ReferralContext.ValidateEnum<ReferralStage>(node, "stage");
}

/// <summary><c>Reconnect.CloseReferral</c>: closes the referral with a reason.</summary>
public sealed class CloseReferralActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.CloseReferral", DisplayName = "Close referral", Category = "Referrals", Icon = "TaskAlt",
        Description = "Closes the referral with a reason.",
        Inputs =
        [
            new InputDescriptor { Name = "reason", DisplayName = "Reason", TypeName = "String", Required = true, UiHint = "dropdown", Options = Enum.GetNames<ClosureReason>() },
            new InputDescriptor { Name = "note", DisplayName = "Note", TypeName = "String", UiHint = "multiline" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var text = context.GetString("reason");
        if (!Enum.TryParse<ClosureReason>(text, out var reason)) throw new ArgumentException($"'{text}' is not a closure reason.");
        context.SetVariable("Stage", JsonValue.Create(nameof(ReferralStage.Closed)));
        context.SetVariable("ClosureReason", JsonValue.Create(reason.ToString()));
        context.AddEffect(new CloseReferralEffect(ReferralContext.ReferralId(context), reason, context.GetString("note")));
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) => ReferralContext.ValidateEnum<ClosureReason>(node, "reason");
}

/// <summary><c>Reconnect.QueryReferrals</c>: runs a batch check over referrals and tasks (for the daily follow-up check).</summary>
public sealed class QueryReferralsActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.QueryReferrals", DisplayName = "Check referrals", Category = "Referrals", Icon = "ManageSearch",
        Description = "Runs a check over open referrals and tasks: mark overdue tasks, escalate long-overdue ones to a manager, ask for release confirmation.",
        Inputs =
        [
            new InputDescriptor { Name = "check", DisplayName = "Check", TypeName = "String", Required = true, UiHint = "dropdown", Options = ReferralChecks.All },
            new InputDescriptor { Name = "days", DisplayName = "Days", TypeName = "Int32", UiHint = "number", DefaultValue = 3 },
            new InputDescriptor { Name = "title", DisplayName = "Title of raised tasks", TypeName = "String" },
            new InputDescriptor { Name = "dueInDays", DisplayName = "Raised tasks due in (days)", TypeName = "Int32", UiHint = "number", DefaultValue = 1 },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var check = context.GetString("check");
        if (check is null || !ReferralChecks.All.Contains(check)) throw new ArgumentException($"'{check}' is not a check ({string.Join(", ", ReferralChecks.All)}).");
        var parameters = new JsonObject
        {
            ["days"] = ValueConverter.ToInteger(context.Evaluate("days")) ?? 3,
            ["title"] = context.GetString("title"),
            ["dueInDays"] = ValueConverter.ToInteger(context.Evaluate("dueInDays")) ?? 1,
            ["at"] = Engine.Time.LondonTime.Format(context.Now),
        };
        context.AddEffect(new RunCheckEffect(check, parameters));
        return ActivityResult.Done();
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context)
    {
        var expression = node.GetInput("check");
        if (expression?.Type == Expression.Literal && ValueConverter.ToText(expression.Value) is { } text && !ReferralChecks.All.Contains(text))
            yield return $"check '{text}' is not one of {string.Join(", ", ReferralChecks.All)}";
    }
}
