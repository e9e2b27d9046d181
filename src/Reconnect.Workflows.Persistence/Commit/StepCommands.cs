using System.Data.Common;
using System.Globalization;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Reconnect.Workflows.Engine.Execution;

namespace Reconnect.Workflows.Persistence.Commit;

/// <summary>
/// The statements every step runs, as plain ADO.NET commands on the commit's own connection and transaction: the
/// instance's insert or version-guarded update, the bookmark claim, a moved task's payload and the completed task.
/// The single writer spends its time here for every step, and EF's <c>ExecuteUpdate</c>/<c>SaveChanges</c> pipeline
/// (expression trees, query cache, change tracking) cost more than the statement itself (bench/README.md, issue 13).
/// What is rarer or domain-shaped (incidents, effects' rows) stays with EF in the same transaction.
/// Column lists are fixed here; every value is a parameter. SQL Server accepts the double-quoted names (QUOTED_IDENTIFIER
/// is on by default for SqlClient connections).
/// </summary>
internal static class StepCommands
{
    private const string InsertInstanceSql =
        "INSERT INTO \"WorkflowInstances\" (\"Id\", \"DefinitionId\", \"DefinitionVersion\", \"DefinitionVersionId\", \"CorrelationId\", \"Status\", " +
        "\"StateJson\", \"Version\", \"CreatedAt\", \"UpdatedAt\", \"FinishedAt\") VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10)";

    private const string UpdateInstanceSql =
        "UPDATE \"WorkflowInstances\" SET \"StateJson\" = @p0, \"Version\" = @p1, \"Status\" = @p2, \"CorrelationId\" = @p3, " +
        "\"DefinitionVersion\" = @p4, \"DefinitionVersionId\" = @p5, \"UpdatedAt\" = @p6, \"FinishedAt\" = @p7 WHERE \"Id\" = @p8 AND \"Version\" = @p9";

    private const string SetBookmarkPayloadSql = "UPDATE \"Bookmarks\" SET \"PayloadJson\" = @p0 WHERE \"Id\" = @p1";

    private const string CompleteTaskSql =
        "UPDATE \"Tasks\" SET \"Status\" = @p0, \"Outcome\" = @p1, \"Notes\" = COALESCE(@p2, \"Notes\"), \"CompletedBy\" = @p3, \"CompletedAt\" = @p4 WHERE \"Id\" = @p5";

    /// <summary>A new instance's row; false when its id is taken (two starts raced on one id: this one lost).</summary>
    public static async Task<bool> TryInsertInstanceAsync(ReconnectDbContext db, WorkflowState state, string stateJson, string status, CancellationToken cancellationToken)
    {
        await using var command = Command(db, InsertInstanceSql, state.Id, state.DefinitionId, state.DefinitionVersion, state.DefinitionVersionId,
            state.CorrelationId, status, stateJson, state.Version, state.CreatedAt, state.UpdatedAt, state.FinishedAt);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (DbException ex) when (IsDuplicateKey(ex))
        {
            return false;
        }
    }

    /// <summary>The instance's new state, only if its stored version is still <paramref name="expectedVersion"/>: rows changed (1 or 0).</summary>
    public static async Task<int> UpdateInstanceAsync(ReconnectDbContext db, WorkflowState state, string stateJson, string status, long expectedVersion, CancellationToken cancellationToken)
    {
        await using var command = Command(db, UpdateInstanceSql, stateJson, state.Version, status, state.CorrelationId,
            state.DefinitionVersion, state.DefinitionVersionId, state.UpdatedAt, state.FinishedAt, state.Id, expectedVersion);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the bookmarks by id: how many were still there (a resume's claim is its bookmark's row).</summary>
    public static async Task<int> DeleteBookmarksAsync(ReconnectDbContext db, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var placeholders = string.Join(", ", Enumerable.Range(0, ids.Count).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture)));
        await using var command = Command(db, $"DELETE FROM \"Bookmarks\" WHERE \"Id\" IN ({placeholders})", [.. ids]);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task SetBookmarkPayloadAsync(ReconnectDbContext db, string bookmarkId, string? payloadJson, CancellationToken cancellationToken)
    {
        await using var command = Command(db, SetBookmarkPayloadSql, payloadJson, bookmarkId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The task a resume completed: outcome, who and when; notes only when given (a task's own notes stay otherwise).</summary>
    public static async Task CompleteTaskAsync(ReconnectDbContext db, string taskId, string? outcome, string? notes, string? completedBy, DateTimeOffset completedAt,
        CancellationToken cancellationToken)
    {
        await using var command = Command(db, CompleteTaskSql, TaskStatuses.Completed, outcome, notes, completedBy, completedAt, taskId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A command on the context's connection, enlisted in its current transaction, with @p0… bound to <paramref name="values"/>.</summary>
    public static DbCommand Command(ReconnectDbContext db, string sql, params object?[] values)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            parameter.Value = Value(db, values[i]);
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>
    /// A value as the model stores it (raw SQL bypasses the model's converters): null as DBNull; an instant as SQLite's
    /// UTC ticks, PostgreSQL's UTC timestamptz, SQL Server's datetimeoffset (ProviderContexts.cs).
    /// </summary>
    public static object Value(ReconnectDbContext db, object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset instant => db switch
        {
            SqliteReconnectDbContext => instant.UtcTicks,
            PostgresReconnectDbContext => instant.ToUniversalTime(),
            _ => instant,
        },
        _ => value,
    };

    /// <summary>A primary-key or unique violation on any of the three providers.</summary>
    private static bool IsDuplicateKey(DbException ex) => ex switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 1555 or 2067, // SQLITE_CONSTRAINT_PRIMARYKEY, _UNIQUE
        SqlException sqlServer => sqlServer.Number is 2627 or 2601,
        _ => ex.SqlState == "23505", // PostgreSQL unique_violation
    };
}
