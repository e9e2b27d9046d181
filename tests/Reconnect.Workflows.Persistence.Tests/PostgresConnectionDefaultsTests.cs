using Microsoft.EntityFrameworkCore;
using Npgsql;
using Reconnect.Workflows.Persistence.Tests.Infrastructure;

namespace Reconnect.Workflows.Persistence.Tests;

public class PostgresConnectionDefaultsTests
{
    [Fact]
    public void Apply_NoMaxAutoPrepare_TurnsAutomaticPreparationOn()
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply("Host=db;Database=reconnect;Username=app"));
        Assert.Equal(PostgresConnectionDefaults.MaxAutoPrepare, applied.MaxAutoPrepare);
        Assert.Equal("db", applied.Host);
        Assert.Equal("reconnect", applied.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)] // off, as a transaction-mode PgBouncer before 1.21 needs
    [InlineData("Host=db;Max Auto Prepare=10", 10)]
    [InlineData("Host=db;maxautoprepare=0", 0)]
    public void Apply_MaxAutoPrepareGiven_KeepsTheOperatorsValue(string connectionString, int expected) =>
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(connectionString)).MaxAutoPrepare);

    [Fact]
    public async Task Context_OnPostgres_ConnectsWithAutomaticPreparation()
    {
        await using var persisted = await PersistedRuntime.CreateAsync(DatabaseProviders.PostgreSql);
        await using var db = await persisted.Contexts.CreateDbContextAsync();
        var used = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
        Assert.Equal(PostgresConnectionDefaults.MaxAutoPrepare, used.MaxAutoPrepare);
        // And statements run through it as before (a prepared statement is used from its second run on).
        for (var i = 0; i < 3; i++) Assert.Equal(0, await db.WorkflowInstances.CountAsync());
    }
}
