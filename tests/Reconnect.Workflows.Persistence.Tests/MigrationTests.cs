using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;

namespace Reconnect.Workflows.Persistence.Tests;

public class MigrationTests
{
    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Migrations_ApplyOnEmptyDatabase_AndAreIdempotent(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider, initialize: false);
        await using (var db = await t.Contexts.CreateDbContextAsync())
        {
            var all = db.Database.GetMigrations().ToList();
            Assert.NotEmpty(all);
            Assert.Equal(all, await db.Database.GetPendingMigrationsAsync());
        }

        await t.Initializer.InitializeAsync();
        await t.Initializer.InitializeAsync(); // a second start-up changes nothing and does not fail

        await using (var db = await t.Contexts.CreateDbContextAsync())
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }
        foreach (var table in new[] { "WorkflowDefinitions", "WorkflowInstances", "Bookmarks", "JournalEntries", "Incidents", "Tasks", "Outbox", "AuditEntries", "ScheduleRuns" })
            Assert.Equal(0, await t.CountAsync(table));
    }

    [Fact]
    public async Task Sqlite_Initializer_TurnsOnWal_AndKeepsSynchronousFull()
    {
        await using var t = await PersistedRuntime.CreateAsync(DatabaseProviders.Sqlite);
        await using var db = await t.Contexts.CreateDbContextAsync();
        var connection = await t.OpenConnectionAsync(db);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(2L, (long)(await command.ExecuteScalarAsync())!); // 2 = FULL: a committed step survives a power cut
    }

    [Theory]
    [InlineData(DatabaseProviders.Sqlite)]
    [InlineData(DatabaseProviders.PostgreSql)]
    [InlineData(DatabaseProviders.SqlServer)]
    public void Migrations_MatchTheModel_NoPendingChanges(string provider)
    {
        // No server needed: the model is compared with the provider's snapshot.
        using var db = DesignContext(provider);
        Assert.False(db.Database.HasPendingModelChanges(), $"{provider}: the model changed without a migration (scripts/add-migration.sh <Name>).");
    }

    [Fact]
    public void SqlServer_MigrationScript_CreatesEveryTableAndIndex()
    {
        using var db = DesignContext(DatabaseProviders.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        foreach (var table in new[] { "WorkflowDefinitions", "WorkflowInstances", "Bookmarks", "JournalEntries", "Incidents", "Tasks", "Outbox", "AuditEntries", "ScheduleRuns", "AspNetUsers", "DataProtectionKeys" })
            Assert.Contains($"CREATE TABLE [{table}]", script);
        foreach (var index in new[] { "IX_Bookmarks_Hash_CorrelationId", "IX_Bookmarks_DueAt", "IX_Bookmarks_InstanceId", "IX_Tasks_Assignee_Status_DueAt",
                     "IX_Tasks_Site_Status_DueAt", "IX_WorkflowDefinitions_DefinitionId_Version", "IX_JournalEntries_InstanceId_Id" })
            Assert.Contains($"[{index}]", script);
        Assert.Contains("__EFMigrationsHistory", script);
        Assert.Contains(db.Database.GetMigrations().Last(), script);
        // Optimistic concurrency and instants as SQL Server types.
        Assert.Contains("[Version] bigint NOT NULL", script);
        Assert.Contains("[DueAt] datetimeoffset NULL", script);
    }

    private static ReconnectDbContext DesignContext(string provider) => provider switch
    {
        DatabaseProviders.Sqlite => new SqliteReconnectDbContext(new DbContextOptionsBuilder<SqliteReconnectDbContext>().UseSqlite("Data Source=unused.db").Options),
        DatabaseProviders.PostgreSql => new PostgresReconnectDbContext(new DbContextOptionsBuilder<PostgresReconnectDbContext>().UseNpgsql("Host=unused;Database=unused").Options),
        _ => new SqlServerReconnectDbContext(new DbContextOptionsBuilder<SqlServerReconnectDbContext>()
            .UseSqlServer("Server=unused;Database=unused;Trusted_Connection=True;TrustServerCertificate=True").Options),
    };
}
