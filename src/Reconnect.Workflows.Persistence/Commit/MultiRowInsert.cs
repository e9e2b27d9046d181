using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;

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

    private const string BookmarkColumns = "\"Id\", \"InstanceId\", \"ActivityId\", \"ActivityType\", \"Name\", \"Hash\", \"CorrelationId\", \"DueAt\", \"CreatedAt\", \"PayloadJson\"";
    private const string JournalColumns = "\"InstanceId\", \"At\", \"Kind\", \"ActivityId\", \"ActivityType\", \"DetailJson\"";

    /// <summary>Rows as <see cref="PreparedStep.BookmarkRows"/> makes them.</summary>
    public static Task BookmarksAsync(ReconnectDbContext db, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        InsertAsync(db, "Bookmarks", BookmarkColumns, 10, rows, cancellationToken);

    /// <summary>Rows as <see cref="PreparedStep.JournalRows"/> makes them.</summary>
    public static Task JournalAsync(ReconnectDbContext db, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken) =>
        InsertAsync(db, "JournalEntries", JournalColumns, 6, rows, cancellationToken);

    private static async Task InsertAsync(ReconnectDbContext db, string table, string columns, int width, IReadOnlyList<object?[]> rows, CancellationToken cancellationToken)
    {
        for (var from = 0; from < rows.Count; from += RowsPerInsert)
        {
            var count = Math.Min(RowsPerInsert, rows.Count - from);
            var values = new List<object>(count * width);
            for (var r = from; r < from + count; r++)
                foreach (var value in rows[r]) values.Add(Parameter(db, value));
            await db.Database.ExecuteSqlRawAsync($"INSERT INTO \"{table}\" ({columns}) VALUES " + Placeholders(count, width), Parameters(db, values), cancellationToken);
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

    /// <summary>Null as DBNull; an instant as the provider's mapping stores it.</summary>
    private static object Parameter(ReconnectDbContext db, object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset instant => Instant(db, instant),
        _ => value,
    };

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
