using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Persistence.Tests.Infrastructure;

/// <summary>
/// The real <see cref="WorkflowRuntime"/> over <see cref="EfWorkflowStore"/> on a fresh database, wired as a host wires it
/// (<see cref="PersistenceServiceCollectionExtensions.AddReconnectPersistence(IServiceCollection, string?, string)"/>),
/// with a fake clock. SQL counts go straight to the database so a test sees what was committed, not what a store says.
/// </summary>
public sealed class PersistedRuntime : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2027, 1, 4, 9, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    private PersistedRuntime(TestDatabase database, ServiceProvider services)
    {
        Database = database;
        _services = services;
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock => _services.GetRequiredService<FakeTimeProvider>();
    public WorkflowRuntime Runtime => _services.GetRequiredService<WorkflowRuntime>();
    public WorkflowRunner Runner => _services.GetRequiredService<WorkflowRunner>();
    public EfWorkflowStore Store => _services.GetRequiredService<EfWorkflowStore>();
    public IDbContextFactory<ReconnectDbContext> Contexts => _services.GetRequiredService<IDbContextFactory<ReconnectDbContext>>();
    public DatabaseInitializer Initializer => _services.GetRequiredService<DatabaseInitializer>();

    public static async Task<PersistedRuntime> CreateAsync(string provider, ActivityRegistry? registry = null, bool initialize = true)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var services = new ServiceCollection();
        services.AddReconnectPersistence(database.Provider, database.ConnectionString);
        services.AddSingleton(new FakeTimeProvider(Epoch));
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<FakeTimeProvider>());
        services.AddSingleton(new WorkflowRunner(registry));
        services.AddSingleton<WorkflowRuntime>();
        var runtime = new PersistedRuntime(database, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }));
        if (initialize) await runtime.Initializer.InitializeAsync();
        return runtime;
    }

    public async Task<WorkflowDefinition> PublishAsync(WorkflowDefinition definition)
    {
        await Store.SaveAsync(definition);
        return (await Store.FindPublishedAsync(definition.DefinitionId))!;
    }

    /// <summary>One scalar from the database (table and column names in double quotes work on SQLite and PostgreSQL).</summary>
    public async Task<long> ScalarAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task<long> CountAsync(string table, string? where = null, params (string Name, object? Value)[] parameters) =>
        ScalarAsync($"SELECT COUNT(*) FROM \"{table}\"" + (where is null ? "" : " WHERE " + where), parameters);

    public Task<long> JournalCountAsync(string instanceId, string kind) =>
        CountAsync("JournalEntries", "\"InstanceId\" = @i AND \"Kind\" = @k", ("@i", instanceId), ("@k", kind));

    /// <summary>Rows of every table a commit writes, for "nothing was written" checks.</summary>
    public async Task<(long Instances, long Bookmarks, long Journal, long Tasks, long Incidents, long Outbox)> CountAllAsync() =>
        (await CountAsync("WorkflowInstances"), await CountAsync("Bookmarks"), await CountAsync("JournalEntries"),
         await CountAsync("Tasks"), await CountAsync("Incidents"), await CountAsync("Outbox"));

    public async Task<DbConnection> OpenConnectionAsync(ReconnectDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
