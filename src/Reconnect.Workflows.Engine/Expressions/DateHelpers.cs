using System.Globalization;
using Jint;
using JsEngine = Jint.Engine;
using Jint.Native;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>
/// Date helpers for scripts, all in Europe/London. Dates are ISO strings (<c>2027-01-15</c>), instants ISO 8601 with
/// offset. Scripts get the step's clock (<c>now()</c>, <c>today()</c>), never the machine's.
/// </summary>
internal static class DateHelpers
{
    /// <summary>Registers the helpers the script mentions (<paramref name="needs"/>).</summary>
    public static void Register(JsEngine engine, DateTimeOffset now, Func<string, bool> needs)
    {
        void SetValue(string name, Delegate helper)
        {
            if (needs(name)) engine.SetValue(name, helper);
        }

        SetValue("now", new Func<string>(() => LondonTime.Format(now)));
        SetValue("today", new Func<string>(() => LondonTime.Format(LondonTime.Today(now))));
        SetValue("addDays", new Func<JsValue, double, string>((value, days) => Shift(value, d => d.AddDays((int)days), i => i.AddDays(days))));
        SetValue("addMonths", new Func<JsValue, double, string>((value, months) => Shift(value, d => d.AddMonths((int)months), i => i.AddMonths((int)months))));
        SetValue("addHours", new Func<JsValue, double, string>((value, hours) => LondonTime.Format(Instant(value).AddHours(hours))));
        SetValue("londonDate", new Func<JsValue, string>(value => LondonTime.Format(Date(value))));
        SetValue("atLondonTime", new Func<JsValue, string, string>((value, time) =>
            LondonTime.Format(LondonTime.AtLondonTime(Date(value), TimeOnly.Parse(time, CultureInfo.InvariantCulture)))));
        SetValue("daysBetween", new Func<JsValue, JsValue, double>((from, to) => Date(to).DayNumber - Date(from).DayNumber));
        SetValue("minDate", new Func<JsValue, JsValue, string>((a, b) => Instant(a) <= Instant(b) ? Text(a) : Text(b)));
        SetValue("maxDate", new Func<JsValue, JsValue, string>((a, b) => Instant(a) >= Instant(b) ? Text(a) : Text(b)));
        SetValue("isBefore", new Func<JsValue, JsValue, bool>((a, b) => Instant(a) < Instant(b)));
    }

    private static string Text(JsValue value) => value.IsDate()
        ? LondonTime.Format(new DateTimeOffset(value.AsDate().ToDateTime().ToUniversalTime(), TimeSpan.Zero))
        : value.ToString();

    private static bool IsDateOnly(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string Shift(JsValue value, Func<DateOnly, DateOnly> onDate, Func<DateTimeOffset, DateTimeOffset> onInstant)
    {
        var text = Text(value);
        return IsDateOnly(text) ? LondonTime.Format(onDate(Date(value))) : LondonTime.Format(onInstant(Instant(value)));
    }

    private static DateOnly Date(JsValue value) =>
        LondonTime.TryParseDate(Text(value), out var date) ? date : throw new ArgumentException($"'{Text(value)}' is not a date (expected YYYY-MM-DD).");

    private static DateTimeOffset Instant(JsValue value) =>
        LondonTime.TryParseInstant(Text(value), out var instant) ? instant : throw new ArgumentException($"'{Text(value)}' is not a date or instant (ISO 8601).");
}
