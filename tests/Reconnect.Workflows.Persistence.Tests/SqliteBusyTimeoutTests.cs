using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;

namespace Reconnect.Workflows.Persistence.Tests;

public class SqliteBusyTimeoutTests
{
    [Fact]
    public async Task Context_OnSqlite_EveryOpenedConnectionWaitsInSqlitesOwnBusyHandler()
    {
        await using var persisted = await PersistedRuntime.CreateAsync(DatabaseProviders.Sqlite);
        // Twice: a pooled context and a pooled connection handle get it again on every open.
        for (var i = 0; i < 2; i++)
        {
            await using var db = await persisted.Contexts.CreateDbContextAsync();
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal((long)SqliteBusyTimeout.Default.TotalMilliseconds, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Writer_LockHeldByAnotherConnection_WaitsAndThenCommits()
    {
        await using var persisted = await PersistedRuntime.CreateAsync(DatabaseProviders.Sqlite);
        await using var holder = await persisted.Contexts.CreateDbContextAsync();
        await using var held = await holder.Database.BeginTransactionAsync();
        await holder.Database.ExecuteSqlRawAsync("DELETE FROM \"Outbox\"");

        await using var writer = await persisted.Contexts.CreateDbContextAsync();
        var waiting = Task.Run(async () =>
        {
            await using var tx = await writer.Database.BeginTransactionAsync();
            await writer.Database.ExecuteSqlRawAsync("DELETE FROM \"Outbox\"");
            await tx.CommitAsync();
        });
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted); // it waits for the lock rather than failing
        await held.CommitAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
