using System.Data.Common;

namespace Reconnect.Workflows.Testing;

/// <summary>
/// Many waiting instances in seconds, for the memory test and the memory bench: SQL copies of one made through the API.
/// (Linked into the server tests and the bench.)
/// </summary>
public static class SqliteInstanceCloner
{
    /// <summary>
    /// SQLite: <paramref name="copies"/> copies of one waiting instance (its row, bookmarks and journal) in one
    /// transaction, each with its own ids (the source's ids with <c>-0000001</c>… appended, inside the JSON too) and
    /// correlation id <paramref name="prefix"/>1…: real waiting instances that an event resumes, made in seconds instead of minutes.
    /// </summary>
    public static async Task CloneWaitingInstanceAsync(DbConnection connection, string sourceId, string sourceCorrelation, int copies, string prefix)
    {
        var bookmarkIds = new List<string>();
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"""SELECT "Id" FROM "Bookmarks" WHERE "InstanceId" = '{sourceId}'""";
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync()) bookmarkIds.Add(reader.GetString(0));
        }
        string Renamed(string column)
        {
            var text = $"replace({column}, '{sourceId}', '{sourceId}' || printf('-%07d', n))";
            foreach (var bookmark in bookmarkIds) text = $"replace({text}, '{bookmark}', '{bookmark}' || printf('-%07d', n))";
            return $"replace({text}, '\"{sourceCorrelation}\"', '\"{prefix}' || n || '\"')";
        }
        var seq = $"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {copies}) ";
        string[] statements =
        [
            seq + $"""
                INSERT INTO "WorkflowInstances" ("Id", "DefinitionId", "DefinitionVersion", "DefinitionVersionId", "CorrelationId", "Status", "StateJson", "Version", "CreatedAt", "UpdatedAt", "FinishedAt")
                SELECT i."Id" || printf('-%07d', n), i."DefinitionId", i."DefinitionVersion", i."DefinitionVersionId", '{prefix}' || n, i."Status", {Renamed("i.\"StateJson\"")}, i."Version", i."CreatedAt", i."UpdatedAt", i."FinishedAt"
                FROM "WorkflowInstances" i, seq WHERE i."Id" = '{sourceId}'
                """,
            seq + $"""
                INSERT INTO "Bookmarks" ("Id", "InstanceId", "ActivityId", "ActivityType", "Name", "Hash", "CorrelationId", "DueAt", "CreatedAt", "PayloadJson")
                SELECT b."Id" || printf('-%07d', n), b."InstanceId" || printf('-%07d', n), b."ActivityId", b."ActivityType", b."Name", b."Hash", '{prefix}' || n, b."DueAt", b."CreatedAt", {Renamed("b.\"PayloadJson\"")}
                FROM "Bookmarks" b, seq WHERE b."InstanceId" = '{sourceId}'
                """,
            seq + $"""
                INSERT INTO "JournalEntries" ("InstanceId", "At", "Kind", "ActivityId", "ActivityType", "DetailJson")
                SELECT j."InstanceId" || printf('-%07d', n), j."At", j."Kind", j."ActivityId", j."ActivityType", {Renamed("j.\"DetailJson\"")}
                FROM "JournalEntries" j, seq WHERE j."InstanceId" = '{sourceId}'
                """,
        ];
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.CommandTimeout = 600;
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
