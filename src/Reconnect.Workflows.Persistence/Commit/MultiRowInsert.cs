using System.Globalization;
using System.Text;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>
/// Bookmarks and journal lines are the most rows of a commit: one multi-row INSERT each (chunks of 100 rows) on the
/// commit's connection and transaction, instead of one tracked entity (and, for the journal, one INSERT … RETURNING) per row.
/// </summary>
internal static class MultiRowInsert
{
    private const int RowsPerInsert = 100;

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
            var values = new object?[count * width];
            for (var r = 0; r < count; r++) rows[from + r].CopyTo(values, r * width);
            // Only the fixed column list and @pN placeholders are concatenated; every value is a parameter.
            await using var command = StepCommands.Command(db, $"INSERT INTO \"{table}\" ({columns}) VALUES " + Placeholders(count, width), values);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary><c>(@p0, @p1), (@p2, @p3)</c>.</summary>
    private static string Placeholders(int rows, int columns)
    {
        var sql = new StringBuilder(rows * columns * 6);
        for (var r = 0; r < rows; r++)
        {
            if (r > 0) sql.Append(", ");
            sql.Append('(');
            for (var c = 0; c < columns; c++) sql.Append(c == 0 ? "@p" : ", @p").Append((r * columns + c).ToString(CultureInfo.InvariantCulture));
            sql.Append(')');
        }
        return sql.ToString();
    }
}
