using System.Text.Json.Nodes;
using Cronos;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Activities.Scheduling;

/// <summary><c>Elsa.Delay</c>: a durable timer <c>timeSpan</c> from now.</summary>
public sealed class DelayActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Delay", DisplayName = "Delay", Category = "Scheduling", Icon = "HourglassEmpty", IsWaiting = true,
        Description = "Waits for a duration (\"2.00:00:00\" or ISO 8601 \"P2D\"). The timer is durable: it survives restarts.",
        Inputs = [new InputDescriptor { Name = "timeSpan", DisplayName = "Duration", TypeName = "TimeSpan", UiHint = "duration", Required = true }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var span = ValueConverter.ToTimeSpan(context.Evaluate("timeSpan"));
        if (span < TimeSpan.Zero) throw new ArgumentException($"Delay of {span} is negative.");
        return ActivityResult.Wait(context.CreateTimer(context.Now + span));
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) =>
        ScheduleValidation.Literal(node, "timeSpan", text => ValueConverter.TryParseDuration(text, out _) ? null : $"'{text}' is not a duration (use \"2.00:00:00\" or ISO 8601 such as \"P2D\")");
}

/// <summary>
/// <c>Elsa.StartAt</c>: waits until an instant. When <c>dateTime</c> is computed from variables (release date − 7 days),
/// the timer is re-computed whenever a step changes variables.
/// </summary>
public sealed class StartAtActivity : IActivity, IRecomputableActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.StartAt", DisplayName = "Start at", Category = "Scheduling", Icon = "Event", IsWaiting = true, IsTrigger = true,
        Description = "Waits until a date (start of the day in Europe/London) or instant. Re-computed when the variables it reads change.",
        Inputs = [new InputDescriptor { Name = "dateTime", DisplayName = "Date/time", TypeName = "DateTimeOffset", UiHint = "date", Required = true, DefaultSyntax = Expression.JavaScript }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        if (context.IsTriggerOfWorkflow) return ActivityResult.Done();
        var due = ValueConverter.ToInstant(context.Evaluate("dateTime"));
        // A moment already past fires at once, as in Elsa.
        if (due <= context.Now) return ActivityResult.Done();
        return ActivityResult.Wait(context.CreateTimer(due, new JsonObject { ["recompute"] = true, ["createdAt"] = LondonTime.Format(context.Now) }));
    }

    public Bookmark Recompute(ActivityContext context, Bookmark bookmark)
    {
        // Evaluated as of when the timer was made: "today + 5 days" stays put, "release date − 7 days" follows the release date.
        var asOf = bookmark.Payload?["createdAt"] is { } created ? context.AsOf(ValueConverter.ToInstant(created)) : context;
        var due = ValueConverter.ToInstant(asOf.Evaluate("dateTime"));
        if (due < context.Now) due = context.Now;
        if (due == bookmark.DueAt) return bookmark;
        return context.CreateTimer(due, (JsonObject?)bookmark.Payload?.DeepClone());
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) =>
        ScheduleValidation.Literal(node, "dateTime", text => LondonTime.TryParseInstant(text, out _) ? null : $"'{text}' is not a date or instant (ISO 8601)");
}

/// <summary><c>Elsa.Timer</c>: waits for <c>interval</c>; as a workflow's trigger it starts an instance every interval.</summary>
public sealed class TimerActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Timer", DisplayName = "Timer", Category = "Scheduling", Icon = "Timer", IsWaiting = true, IsTrigger = true,
        Description = "Waits for an interval. As the start of a published workflow it starts an instance every interval.",
        Inputs = [new InputDescriptor { Name = "interval", DisplayName = "Interval", TypeName = "TimeSpan", UiHint = "duration", Required = true }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        if (context.IsTriggerOfWorkflow) return ActivityResult.Done();
        var span = ValueConverter.ToTimeSpan(context.Evaluate("interval"));
        if (span <= TimeSpan.Zero) throw new ArgumentException($"Timer interval {span} must be positive.");
        return ActivityResult.Wait(context.CreateTimer(context.Now + span));
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) =>
        ScheduleValidation.Literal(node, "interval", text => ValueConverter.TryParseDuration(text, out var s) && s > TimeSpan.Zero ? null : $"'{text}' is not a positive duration");
}

/// <summary><c>Elsa.Cron</c>: waits for the next occurrence (5 or 6 fields, Europe/London); as a trigger, a schedule.</summary>
public sealed class CronActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.Cron", DisplayName = "Cron", Category = "Scheduling", Icon = "Schedule", IsWaiting = true, IsTrigger = true,
        Description = "Waits for the next time a cron expression matches (5 fields, or 6 with seconds first), in Europe/London. As the start of a published workflow it is a schedule.",
        Inputs = [new InputDescriptor { Name = "cronExpression", DisplayName = "Cron expression", TypeName = "String", Required = true, DefaultValue = "0 7 * * *" }],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        if (context.IsTriggerOfWorkflow) return ActivityResult.Done();
        var text = context.GetString("cronExpression") ?? "";
        var next = NextOccurrence(text, context.Now)
            ?? throw new InvalidOperationException($"Cron expression '{text}' has no next occurrence.");
        return ActivityResult.Wait(context.CreateTimer(next));
    }

    public IEnumerable<string> Validate(ActivityNode node, ValidationContext context) =>
        ScheduleValidation.Literal(node, "cronExpression", text => TryParse(text, out _, out var error) ? null : error);

    public static DateTimeOffset? NextOccurrence(string expression, DateTimeOffset after)
    {
        if (!TryParse(expression, out var cron, out var error)) throw new FormatException(error);
        return cron!.GetNextOccurrence(after, LondonTime.TimeZoneInfo);
    }

    /// <summary>The next <paramref name="count"/> occurrences, for the schedules page.</summary>
    public static IReadOnlyList<DateTimeOffset> NextOccurrences(string expression, DateTimeOffset after, int count)
    {
        var list = new List<DateTimeOffset>(count);
        var from = after;
        while (list.Count < count && NextOccurrence(expression, from) is { } next)
        {
            list.Add(next);
            from = next;
        }
        return list;
    }

    public static bool TryParse(string? text, out CronExpression? cron, out string? error)
    {
        cron = null;
        error = null;
        var trimmed = text?.Trim() ?? "";
        var fields = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            error = $"'{trimmed}' is not a cron expression: it needs 5 fields (minute hour day month weekday) or 6 (seconds first), it has {fields}";
            return false;
        }
        try
        {
            cron = CronExpression.Parse(trimmed, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{trimmed}' is not a valid cron expression: {ex.Message}";
            return false;
        }
    }
}

internal static class ScheduleValidation
{
    /// <summary>Checks a literal input's text with <paramref name="check"/>; scripts are checked when they run.</summary>
    public static IEnumerable<string> Literal(ActivityNode node, string input, Func<string, string?> check)
    {
        var expression = node.GetInput(input);
        if (expression is null || expression.Type != Expression.Literal || expression.Value is null) yield break;
        var text = ValueConverter.ToText(expression.Value) ?? "";
        if (check(text) is { } error) yield return $"{input}: {error}";
    }
}
