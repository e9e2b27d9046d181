using System.Globalization;
using System.Text;

namespace Reconnect.Workflows.Web.Components;

/// <summary>Small display helpers shared by the pages.</summary>
public static class UiText
{
    /// <summary><c>UnableToContact</c> → "Unable to contact".</summary>
    public static string Words(string? pascal)
    {
        if (string.IsNullOrEmpty(pascal)) return "";
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(pascal[i - 1])) text.Append(' ').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }

    public static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "–";

    /// <summary>A date in words, "29 Dec" this year, "29 Dec 2027" another year.</summary>
    public static string DayMonth(DateOnly date, DateOnly today) =>
        date.ToString(date.Year == today.Year ? "d MMM" : "d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>An instant as a London date and time, e.g. "2026-05-01 09:00".</summary>
    public static string Instant(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Engine.Time.LondonTime.TimeZoneInfo).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>What the completion form hands back; <see cref="AssigneeId"/> is the navigator chosen for a review's Reassign.</summary>
public sealed record CompletedTask(string Outcome, string? Notes, string? AssigneeId = null);
