using System.Globalization;
using System.Text.RegularExpressions;

namespace Reconnect.Workflows.Web.Components;

/// <summary>
/// A scheduled run's record in words for the schedules page: what the daily check did ("2 tasks marked overdue, 1
/// release to confirm"), not its counters, instance ids or batches (those stay in the run's message, for the API).
/// </summary>
public static partial class RunWords
{
    private static readonly Dictionary<string, (string One, string Many)> Checks = new(StringComparer.Ordinal)
    {
        ["MarkOverdueTasks"] = ("1 task marked overdue", "{0} tasks marked overdue"),
        ["EscalateOverdueTasks"] = ("1 overdue task sent to a manager to review", "{0} overdue tasks sent to managers to review"),
        ["ConfirmUnconfirmedReleases"] = ("1 release to confirm", "{0} releases to confirm"),
    };

    public static string Describe(bool succeeded, int itemsTouched, string? message)
    {
        if (!succeeded) return "It did not finish" + (string.IsNullOrWhiteSpace(message) ? "." : $": {message}");
        var parts = new List<string>();
        foreach (Match m in CheckCount().Matches(message ?? ""))
        {
            if (!Checks.TryGetValue(m.Groups["name"].Value, out var words)) continue;
            var n = int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
            if (n > 0) parts.Add(n == 1 ? words.One : string.Format(CultureInfo.InvariantCulture, words.Many, n));
        }
        if (parts.Count > 0) return string.Join(", ", parts) + ".";
        if (TimerCount().Match(message ?? "") is { Success: true } timers)
            return $"{Plural(int.Parse(timers.Groups["timers"].Value, CultureInfo.InvariantCulture), "timer")} due, {Plural(int.Parse(timers.Groups["events"].Value, CultureInfo.InvariantCulture), "message")} delivered.";
        return itemsTouched == 0 ? "Nothing needed doing." : $"{Plural(itemsTouched, "thing")} done.";
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    [GeneratedRegex(@"(?<name>[A-Z][A-Za-z]+) (?<count>\d+)")]
    private static partial Regex CheckCount();

    [GeneratedRegex(@"(?<timers>\d+) timer\(s\) fired, (?<events>\d+) event\(s\) delivered")]
    private static partial Regex TimerCount();
}
