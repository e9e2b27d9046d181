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
    public static void Register(JsEngine engine, DateTimeOffset now)
    {
        engine.SetValue("now", new Func<string>(() => LondonTime.Format(now)));
        engine.SetValue("today", new Func<string>(() => LondonTime.Format(LondonTime.Today(now))));
        engine.SetValue("addDays", new Func<JsValue, double, string>((value, days) => Shift(value, d => d.AddDays((int)days), i => i.AddDays(days))));
        engine.SetValue("addMonths", new Func<JsValue, double, string>((value, months) => Shift(value, d => d.AddMonths((int)months), i => i.AddMonths((int)months))));
        engine.SetValue("addHours", new Func<JsValue, double, string>((value, hours) => LondonTime.Format(Instant(value).AddHours(hours))));
        engine.SetValue("londonDate", new Func<JsValue, string>(value => LondonTime.Format(Date(value))));
        engine.SetValue("atLondonTime", new Func<JsValue, string, string>((value, time) =>
            LondonTime.Format(LondonTime.AtLondonTime(Date(value), TimeOnly.Parse(time, CultureInfo.InvariantCulture)))));
        engine.SetValue("daysBetween", new Func<JsValue, JsValue, double>((from, to) => Date(to).DayNumber - Date(from).DayNumber));
        engine.SetValue("minDate", new Func<JsValue, JsValue, string>((a, b) => Instant(a) <= Instant(b) ? Text(a) : Text(b)));
        engine.SetValue("maxDate", new Func<JsValue, JsValue, string>((a, b) => Instant(a) >= Instant(b) ? Text(a) : Text(b)));
        engine.SetValue("isBefore", new Func<JsValue, JsValue, bool>((a, b) => Instant(a) < Instant(b)));
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
