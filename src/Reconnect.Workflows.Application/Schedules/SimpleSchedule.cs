using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Reconnect.Workflows.Application.Schedules;

/// <summary>
/// The two timetables people ask for — every day, or Monday to Friday, at a time (UK time) — and their Quartz cron. The
/// schedules page offers these first and keeps the cron expression as the advanced choice; a cron that is one of them
/// is said in words.
/// </summary>
public sealed record SimpleSchedule(bool WeekdaysOnly, TimeOnly At)
{
    /// <summary>The canonical Quartz form (<c>0 30 7 ? * MON-FRI</c>), as <see cref="QuartzCron.TryFromUser"/> answers it.</summary>
    public string ToQuartz()
    {
        var typed = string.Create(CultureInfo.InvariantCulture, $"0 {At.Minute} {At.Hour} ? * {(WeekdaysOnly ? "MON-FRI" : "*")}");
        return QuartzCron.TryFromUser(typed, out var quartz, out _) ? quartz : typed;
    }

    /// <summary>"every day at 07:00", "weekdays (Monday to Friday) at 07:30".</summary>
    public string Words => (WeekdaysOnly ? "weekdays (Monday to Friday)" : "every day") + " at " + At.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A Quartz cron that fires once a day at a whole minute, every day or Monday to Friday, as that choice.</summary>
    public static bool TryFrom(string? quartz, [NotNullWhen(true)] out SimpleSchedule? schedule)
    {
        schedule = null;
        var f = (quartz ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length is not (6 or 7) || (f.Length == 7 && f[6] != "*")) return false;
        if (f[0] != "0" || !Number(f[1], 59, out var minute) || !Number(f[2], 23, out var hour) || f[4] != "*") return false;
        bool Any(string v) => v is "*" or "?";
        var weekdays = f[5].ToUpperInvariant() is "MON-FRI" or "2-6";
        if (!Any(f[3]) || !(Any(f[5]) || weekdays)) return false;
        schedule = new SimpleSchedule(weekdays, new TimeOnly(hour, minute));
        return true;
    }

    /// <summary>The cron in words when it is a simple timetable, else "a custom timetable".</summary>
    public static string Describe(string? quartz) =>
        TryFrom(quartz, out var simple) ? char.ToUpperInvariant(simple.Words[0]) + simple.Words[1..] : "A custom timetable";

    private static bool Number(string text, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= max;
}
