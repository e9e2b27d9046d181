using System.Globalization;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Web.Components;

/// <summary>Instants as the schedules page and dashboard show them: UK time, with GMT or BST said.</summary>
public static class UkTime
{
    /// <summary>e.g. "Thu 26 Nov 2026, 07:00:00 GMT".</summary>
    public static string Format(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, LondonTime.TimeZoneInfo);
        var zone = LondonTime.TimeZoneInfo.IsDaylightSavingTime(local) ? "BST" : "GMT";
        return local.ToString("ddd d MMM yyyy, HH:mm:ss", CultureInfo.InvariantCulture) + " " + zone;
    }

    public static string Format(DateTimeOffset? at) => at is { } value ? Format(value) : "–";

    /// <summary>A run's length in words, e.g. "0.4 s", "2 min 5 s".</summary>
    public static string Duration(DateTimeOffset started, DateTimeOffset? finished)
    {
        if (finished is not { } end) return "still running";
        var span = end - started;
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalSeconds < 60
            ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : $"{(int)span.TotalMinutes} min {span.Seconds} s";
    }
}
