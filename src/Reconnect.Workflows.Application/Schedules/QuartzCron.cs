using System.Diagnostics.CodeAnalysis;
using Quartz;
using Reconnect.Workflows.Engine.Activities.Scheduling;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// Cron expressions between the two dialects we meet. The workflows' <c>Elsa.Cron</c> uses Cronos: 5 fields (crontab) or
/// 6 with seconds first, days of week numbered 0-7 from Sunday. Quartz has seconds first, 6 or 7 fields, days of week
/// 1-7 from Sunday, and <c>?</c> in one of the two day fields. A naive "prepend <c>0 </c>" would turn crontab's
/// Monday-to-Friday <c>1-5</c> into Quartz's Sunday-to-Thursday, so the day-of-week field is renumbered by Quartz's own
/// <see cref="CronFormat.Unix"/> reader, and the <c>?</c> rule is applied by it too.
/// </summary>
public static class QuartzCron
{
    /// <summary>
    /// A workflow's cron (Cronos: 5 fields, or 6 with seconds first) in Quartz's canonical form, or an error.
    /// </summary>
    public static bool TryFromWorkflow(string? expression, [NotNullWhen(true)] out string? quartz, [NotNullWhen(false)] out string? error)
    {
        quartz = null;
        var fields = (expression ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // The workflow's own reading first (Cronos, as Elsa.Cron runs it): Quartz's reader is laxer about some ranges.
        if (!CronActivity.TryParse(expression, out _, out var cronosError))
        {
            error = cronosError ?? $"'{expression}' is not a cron expression.";
            return false;
        }
        try
        {
            switch (fields.Length)
            {
                case 5:
                    quartz = CronExpression.Parse(string.Join(' ', fields), CronFormat.Unix).CronExpressionString;
                    break;
                case 6:
                    // Seconds first, the rest as crontab: read the five with the Unix reader, then put the seconds back.
                    var rest = CronExpression.Parse(string.Join(' ', fields[1..]), CronFormat.Unix).CronExpressionString;
                    var restFields = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    quartz = string.Join(' ', [fields[0].ToUpperInvariant(), .. restFields[1..]]);
                    quartz = CronExpression.Parse(quartz).CronExpressionString; // validates the seconds field
                    break;
                default:
                    error = $"'{expression}' is not a cron expression: it needs 5 fields (minute hour day month weekday) or 6 (seconds first), it has {fields.Length}.";
                    return false;
            }
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = $"'{expression}' is not a valid cron expression: {ex.Message}";
            return false;
        }
    }

    /// <summary>
    /// A cron a scheduler typed on the schedules page: 5 fields are crontab (as in the designer's Cron activity), 6 or 7
    /// are Quartz's own form (as <c>GET /api/schedules</c> shows it). Answers the canonical Quartz form.
    /// </summary>
    public static bool TryFromUser(string? expression, [NotNullWhen(true)] out string? quartz, [NotNullWhen(false)] out string? error)
    {
        quartz = null;
        var text = (expression ?? "").Trim();
        var fields = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (text.Length == 0)
        {
            error = "A cron expression is required, e.g. \"0 7 * * *\" (07:00 daily) or Quartz's \"0 0 7 ? * *\".";
            return false;
        }
        if (fields.Length == 5) return TryFromWorkflow(text, out quartz, out error);
        if (fields.Length is not (6 or 7))
        {
            error = $"'{text}' has {fields.Length} fields: use 5 (crontab: minute hour day month weekday) or Quartz's 6 or 7 (seconds first).";
            return false;
        }
        try
        {
            quartz = CronExpression.Parse(WithQuestionMark(fields), CronFormat.Quartz).CronExpressionString;
            if (CronExpression.Parse(quartz).GetNextValidTimeAfter(DateTimeOffset.UtcNow) is null)
            {
                error = $"'{text}' never fires again.";
                quartz = null;
                return false;
            }
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = $"'{text}' is not a valid Quartz cron expression: {ex.Message}";
            return false;
        }
    }

    /// <summary>
    /// Quartz's rule: one of day-of-month and day-of-week is <c>?</c>. <c>0 30 8 * * MON-FRI</c> means weekdays (as in
    /// crontab), so a <c>*</c> beside a restricted other day field becomes <c>?</c>; two <c>*</c> make day-of-week <c>?</c>.
    /// </summary>
    private static string WithQuestionMark(string[] fields)
    {
        var f = fields.Select(x => x.ToUpperInvariant()).ToArray();
        bool Any(string v) => v is "*" or "?";
        if (Any(f[5])) f[5] = Any(f[3]) && f[3] == "?" ? "*" : "?";
        else if (Any(f[3])) f[3] = "?";
        if (f[3] == "?" && f[5] == "?") f[5] = "*";
        return string.Join(' ', f);
    }

    /// <summary>The next <paramref name="count"/> fire times of a Quartz expression in Europe/London, as London-offset instants.</summary>
    public static IReadOnlyList<DateTimeOffset> NextFireTimes(string quartz, DateTimeOffset after, int count = 5)
    {
        var cron = CronExpression.Parse(quartz).WithTimeZone(LondonTime.TimeZoneInfo);
        var list = new List<DateTimeOffset>(count);
        var from = after;
        while (list.Count < count && cron.GetNextValidTimeAfter(from) is { } next)
        {
            list.Add(ToLondon(next));
            from = next;
        }
        return list;
    }

    public static DateTimeOffset ToLondon(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, LondonTime.TimeZoneInfo);
}
