using System.Globalization;
using NodaTime;
using NodaTime.TimeZones;

namespace Reconnect.Workflows.Engine.Time;

/// <summary>
/// Dates in Europe/London. NodaTime carries its own copy of the tz database, so a machine without tzdata (a slim
/// container) still gets the right offsets around the clock changes.
/// </summary>
public static class LondonTime
{
    public static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Europe/London"];

    /// <summary>For libraries that want a BCL zone (Jint, Fluid, Cronos); falls back to a NodaTime-built zone when the OS has none.</summary>
    public static readonly TimeZoneInfo TimeZoneInfo = FindTimeZoneInfo();

    public static DateOnly Today(DateTimeOffset now) => ToLondonDate(now);

    public static DateOnly ToLondonDate(DateTimeOffset instant)
    {
        var local = Instant.FromDateTimeOffset(instant).InZone(Zone).Date;
        return new DateOnly(local.Year, local.Month, local.Day);
    }

    /// <summary>The instant a London wall-clock time happens on a date (a skipped hour moves forward, an ambiguous one takes the first).</summary>
    public static DateTimeOffset AtLondonTime(DateOnly date, TimeOnly time)
    {
        var local = new LocalDateTime(date.Year, date.Month, date.Day, time.Hour, time.Minute, time.Second);
        return Zone.ResolveLocal(local, Resolvers.LenientResolver).ToDateTimeOffset();
    }

    /// <summary>Start of the day in London.</summary>
    public static DateTimeOffset StartOfDay(DateOnly date) => AtLondonTime(date, TimeOnly.MinValue);

    /// <summary>Parses an ISO date (<c>2027-01-15</c>, start of the day in London) or an instant (<c>2027-01-15T09:00:00Z</c>).</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            instant = StartOfDay(date);
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant))
            return true;
        return false;
    }

    /// <summary>Parses an ISO date or the date part of an instant (taken in London).</summary>
    public static bool TryParseDate(string? text, out DateOnly date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)) return true;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            date = ToLondonDate(instant);
            return true;
        }
        return false;
    }

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static TimeZoneInfo FindTimeZoneInfo()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return BuildFromTzdb();
        }
    }

    private static TimeZoneInfo BuildFromTzdb()
    {
        // Rules for 1996 onwards: GMT/BST, last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
        var start = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 1, 0, 0), 3, 5, DayOfWeek.Sunday);
        var end = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 10, 5, DayOfWeek.Sunday);
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(new DateTime(1996, 1, 1), DateTime.MaxValue.Date, TimeSpan.FromHours(1), start, end);
        return TimeZoneInfo.CreateCustomTimeZone("Europe/London", TimeSpan.Zero, "Europe/London", "GMT", "BST", [rule]);
    }
}
