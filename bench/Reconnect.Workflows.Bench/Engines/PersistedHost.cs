using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Bench.Engines;

/// <summary>
/// Our runtime as the server runs it on its default database: <see cref="WorkflowRuntime"/> over <see cref="EfWorkflowStore"/>
/// on a fresh SQLite file (WAL, synchronous FULL), set up by <see cref="DatabaseInitializer"/>. Deleted when disposed.
/// </summary>
public sealed class PersistedHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private PersistedHost(string file, ServiceProvider services)
    {
        File = file;
        _services = services;
    }

    public string File { get; }
    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = File }.ToString();
    public WorkflowRuntime Runtime => _services.GetRequiredService<WorkflowRuntime>();
    public EfWorkflowStore Store => _services.GetRequiredService<EfWorkflowStore>();

    public static async Task<PersistedHost> CreateAsync(WorkflowRunner runner, params WorkflowDefinition[] definitions)
    {
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{Guid.NewGuid():N}.db");
        var services = new ServiceCollection();
        services.AddReconnectPersistence(DatabaseProviders.Sqlite, new SqliteConnectionStringBuilder { DataSource = file }.ToString());
        services.AddSingleton(runner);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkflowRuntime>();
        var host = new PersistedHost(file, services.BuildServiceProvider());
        await host._services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        foreach (var d in definitions) await host.Store.SaveAsync(d);
        await host.CheckDurabilityAsync();
        return host;
    }

    /// <summary>The settings the figures are quoted for: WAL, and synchronous FULL (SQLite's default, so each commit is on disk).</summary>
    public async Task CheckDurabilityAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        var mode = (string?)await command.ExecuteScalarAsync();
        command.CommandText = "PRAGMA synchronous;";
        var synchronous = (long)(await command.ExecuteScalarAsync())!;
        if (mode != "wal" || synchronous != 2)
            throw new InvalidOperationException($"SQLite runs with journal_mode={mode}, synchronous={synchronous}; the benchmark is defined for wal and 2 (FULL).");
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { System.IO.File.Delete(File + suffix); }
            catch (IOException) { /* left for the OS to clean */ }
        }
    }
}
