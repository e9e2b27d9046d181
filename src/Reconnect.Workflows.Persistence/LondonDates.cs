using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;
using Reconnect.Workflows.Engine.Time;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// The London date of an instant, usable in a LINQ query: each provider's context maps <see cref="LondonDate"/> to its
/// own SQL, so a query can compare a stored instant (say <c>ClosedAt</c>) with a date column (say <c>ReleasedOn</c>)
/// without reading the rows. Outside a query it is <see cref="LondonTime.ToLondonDate"/>.
/// </summary>
public static class LondonDates
{
    public static DateOnly LondonDate(DateTimeOffset instant) => LondonTime.ToLondonDate(instant);

    private static readonly System.Reflection.MethodInfo Method = typeof(LondonDates).GetMethod(nameof(LondonDate))!;

    /// <summary>
    /// SQLite has no time zones and stores instants as UTC ticks (<see cref="DateTimeOffsetToUtcTicksConverter"/>), so the
    /// UK rule is spelt out: BST from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
    /// (the rule since 1996, the same one <see cref="LondonTime"/> falls back on).
    /// <code>
    /// date(s, 'unixepoch', CASE WHEN datetime(s, 'unixepoch') >= datetime(s, 'unixepoch', 'start of year', '+3 months', 'weekday 0', '-7 days', '+1 hours')
    ///                            AND datetime(s, 'unixepoch') &lt; datetime(s, 'unixepoch', 'start of year', '+10 months', 'weekday 0', '-7 days', '+1 hours')
    ///                       THEN '+1 hours' ELSE '+0 hours' END)   -- s = (ticks − 0001→1970 ticks) / 10⁷, Unix seconds
    /// </code>
    /// (1 April or 1 November, on to the next Sunday, back a week: the last Sunday of March or October.)
    /// </summary>
    internal static void MapForSqlite(ModelBuilder builder, IRelationalTypeMappingSource types)
    {
        var integer = types.FindMapping(typeof(long))!;
        var text = types.FindMapping(typeof(string))!;
        var boolean = types.FindMapping(typeof(bool))!;
        var date = types.FindMapping(typeof(DateOnly))!;
        builder.HasDbFunction(Method).HasTranslation(args =>
        {
            var seconds = new SqlBinaryExpression(ExpressionType.Divide,
                new SqlBinaryExpression(ExpressionType.Subtract, args[0], Literal(DateTimeOffset.UnixEpoch.UtcTicks, integer), typeof(long), integer),
                Literal(TimeSpan.TicksPerSecond, integer), typeof(long), integer);
            SqlExpression Utc(params string[] modifiers) =>
                Function("datetime", [seconds, Literal("unixepoch", text), .. modifiers.Select(m => Literal(m, text))], text);
            var utc = Utc();
            var bst = new SqlBinaryExpression(ExpressionType.AndAlso,
                new SqlBinaryExpression(ExpressionType.GreaterThanOrEqual, utc, Utc("start of year", "+3 months", "weekday 0", "-7 days", "+1 hours"), typeof(bool), boolean),
                new SqlBinaryExpression(ExpressionType.LessThan, utc, Utc("start of year", "+10 months", "weekday 0", "-7 days", "+1 hours"), typeof(bool), boolean),
                typeof(bool), boolean);
            var offset = new CaseExpression([new CaseWhenClause(bst, Literal("+1 hours", text))], Literal("+0 hours", text));
            return Function("date", [seconds, Literal("unixepoch", text), offset], date);
        });
    }

    /// <summary>PostgreSQL: <c>date(timezone('Europe/London', instant))</c> — the server's tz database does the work.</summary>
    internal static void MapForPostgres(ModelBuilder builder, IRelationalTypeMappingSource types)
    {
        var text = types.FindMapping(typeof(string))!;
        var timestamp = types.FindMapping(typeof(DateTime), "timestamp without time zone")!;
        var date = types.FindMapping(typeof(DateOnly))!;
        builder.HasDbFunction(Method).HasTranslation(args =>
            Function("date", [Function("timezone", [Literal("Europe/London", text), args[0]], timestamp)], date));
    }

    /// <summary>SQL Server: <c>CONVERT(date, instant AT TIME ZONE 'GMT Standard Time')</c> (Windows' name for London).</summary>
    internal static void MapForSqlServer(ModelBuilder builder, IRelationalTypeMappingSource types)
    {
        var text = types.FindMapping(typeof(string), "varchar(32)")!;
        var instant = types.FindMapping(typeof(DateTimeOffset))!;
        var date = types.FindMapping(typeof(DateOnly))!;
        builder.HasDbFunction(Method).HasTranslation(args =>
            Function("CONVERT", [new SqlFragmentExpression("date", typeof(object), null), new AtTimeZoneExpression(args[0], Literal("GMT Standard Time", text), typeof(DateTimeOffset), instant)], date));
    }

    private static SqlConstantExpression Literal(object value, RelationalTypeMapping mapping) => new(value, value.GetType(), mapping);

    private static SqlFunctionExpression Function(string name, IReadOnlyList<SqlExpression> arguments, RelationalTypeMapping mapping) =>
        new(name, arguments, nullable: true, argumentsPropagateNullability: arguments.Select(a => a is not SqlConstantExpression and not SqlFragmentExpression),
            mapping.ClrType, mapping);
}
