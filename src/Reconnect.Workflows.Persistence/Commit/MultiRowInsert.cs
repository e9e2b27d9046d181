using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>
/// Bookmarks and journal lines are the most rows of a commit: one multi-row INSERT each (chunks of 100 rows) on the
/// commit's connection and transaction, instead of one tracked entity (and, for the journal, one INSERT … RETURNING) per row.
/// </summary>
internal static class MultiRowInsert
{
    private const int RowsPerInsert = 100;

    // EF1003: only fixed column lists and {n} placeholders are concatenated below; every value goes in as a parameter.
#pragma warning disable EF1003

    public static async Task BookmarksAsync(ReconnectDbContext db, string instanceId, IReadOnlyList<Bookmark> bookmarks, CancellationToken cancellationToken)
    {
        for (var from = 0; from < bookmarks.Count; from += RowsPerInsert)
        {
            var chunk = bookmarks.Skip(from).Take(RowsPerInsert).ToList();
            var values = new List<object>(chunk.Count * 10);
            foreach (var b in chunk)
                values.AddRange([b.Id, instanceId, b.ActivityId, b.ActivityType, b.Name, b.Hash, Value(b.CorrelationId), Instant(db, b.DueAt), Instant(db, b.CreatedAt), Value(b.Payload?.ToJsonString())]);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"Bookmarks\" (\"Id\", \"InstanceId\", \"ActivityId\", \"ActivityType\", \"Name\", \"Hash\", \"CorrelationId\", \"DueAt\", \"CreatedAt\", \"PayloadJson\") VALUES "
                + Placeholders(chunk.Count, 10), Parameters(db, values), cancellationToken);
        }
    }

    public static async Task JournalAsync(ReconnectDbContext db, string instanceId, IReadOnlyList<TraceEvent> trace, CancellationToken cancellationToken)
    {
        for (var from = 0; from < trace.Count; from += RowsPerInsert)
        {
            var chunk = trace.Skip(from).Take(RowsPerInsert).ToList();
            var values = new List<object>(chunk.Count * 6);
            foreach (var t in chunk)
                values.AddRange([instanceId, Instant(db, t.At), t.Kind, Value(t.ActivityId), Value(t.ActivityType), Value(t.Detail?.ToJsonString())]);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"JournalEntries\" (\"InstanceId\", \"At\", \"Kind\", \"ActivityId\", \"ActivityType\", \"DetailJson\") VALUES "
                + Placeholders(chunk.Count, 6), Parameters(db, values), cancellationToken);
        }
    }

#pragma warning restore EF1003

    /// <summary><c>({0}, {1}), ({2}, {3})</c>: EF turns each into a parameter.</summary>
    private static string Placeholders(int rows, int columns)
    {
        var sql = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            for (var c = 0; c < columns; c++) sql.Append(c == 0 ? "" : ", ").Append('{').Append(r * columns + c).Append('}');
            sql.Append(')');
        }
        return sql.ToString();
    }

    private static object Value(string? value) => value ?? (object)DBNull.Value;

    /// <summary>Provider parameters (a bare null or DBNull has no EF type mapping), named p0, p1, … for the {n} placeholders.</summary>
    private static List<DbParameter> Parameters(ReconnectDbContext db, List<object> values)
    {
        using var factory = db.Database.GetDbConnection().CreateCommand();
        var parameters = new List<DbParameter>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            var p = factory.CreateParameter();
            p.ParameterName = "p" + i.ToString(CultureInfo.InvariantCulture);
            p.Value = values[i];
            parameters.Add(p);
        }
        return parameters;
    }

    /// <summary>An instant as each provider's mapping stores it (raw SQL bypasses the model's converters): SQLite UTC ticks, PostgreSQL UTC.</summary>
    private static object Instant(ReconnectDbContext db, DateTimeOffset? value) => value switch
    {
        null => DBNull.Value,
        { } v => db switch
        {
            SqliteReconnectDbContext => v.UtcTicks,
            PostgresReconnectDbContext => v.ToUniversalTime(),
            _ => v,
        },
    };
}
