using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// SQLite's own busy handler on every connection the contexts open (<c>PRAGMA busy_timeout</c>). A writer that finds the
/// write lock taken then waits inside SQLite, which retries after 1, 2, 5, 10 … and at most 100 ms, instead of
/// Microsoft.Data.Sqlite's retry loop, which sleeps 150 ms at a time. Writers that collide (the commit writer and a
/// claim, the daily check's batches and a request) get the lock soon after it is free, rather than at the next 150 ms
/// tick, which can miss several of the short gaps between another writer's transactions (bench/README.md,
/// <c>referrals-api</c>; docs/persistence.md).
/// </summary>
public sealed class SqliteBusyTimeout(TimeSpan timeout) : DbConnectionInterceptor
{
    /// <summary>As long as Microsoft.Data.Sqlite's default command timeout: a writer gives up after the same 30 s as before.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    private readonly string _pragma = "PRAGMA busy_timeout = " + ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
