using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Commit;

namespace Reconnect.Workflows.Bench.Engines;

/// <summary>Where a persisted scenario keeps its rows: a fresh SQLite file, or a fresh database on a PostgreSQL server.</summary>
public sealed record BenchDatabase(string Provider, string? PostgresAdmin = null)
{
    public static readonly BenchDatabase Sqlite = new(DatabaseProviders.Sqlite);
}

/// <summary>
/// Our runtime as the server runs it: <see cref="WorkflowRuntime"/> over <see cref="EfWorkflowStore"/> on a fresh SQLite
/// file (WAL, synchronous FULL) or a fresh PostgreSQL database, set up by <see cref="DatabaseInitializer"/>. Deleted
/// (dropped) when disposed.
/// </summary>
public sealed class PersistedHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly BenchDatabase _database;
    private readonly string? _postgresName;

    private PersistedHost(BenchDatabase database, string connectionString, string? file, string? postgresName, ServiceProvider services)
    {
        _database = database;
        ConnectionString = connectionString;
        File = file;
        _postgresName = postgresName;
        _services = services;
    }

    public string? File { get; }
    public string ConnectionString { get; }
    public string Provider => _database.Provider;
    public WorkflowRuntime Runtime => _services.GetRequiredService<WorkflowRuntime>();
    public EfWorkflowStore Store => _services.GetRequiredService<EfWorkflowStore>();

    public static Task<PersistedHost> CreateAsync(WorkflowRunner runner, params WorkflowDefinition[] definitions) =>
        CreateAsync(BenchDatabase.Sqlite, runner, null, definitions);

    /// <param name="groupCommit">Null: the default (group commit); <c>new(1)</c>: one transaction per step.</param>
    public static async Task<PersistedHost> CreateAsync(BenchDatabase database, WorkflowRunner runner, GroupCommitSettings? groupCommit, params WorkflowDefinition[] definitions)
    {
        string connectionString;
        string? file = null, postgresName = null;
        if (database.Provider == DatabaseProviders.PostgreSql)
        {
            var admin = database.PostgresAdmin ?? throw new InvalidOperationException("persisted-postgres needs --postgres or RECONNECT_TEST_POSTGRES.");
            postgresName = "reconnect_bench_" + Guid.NewGuid().ToString("N")[..12];
            await PostgresAsync(admin, $"CREATE DATABASE \"{postgresName}\"");
            connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = postgresName }.ToString();
        }
        else
        {
            var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
            Directory.CreateDirectory(folder);
            file = Path.Combine(folder, $"{Guid.NewGuid():N}.db");
            connectionString = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
        }
        var services = new ServiceCollection();
        services.AddReconnectPersistence(database.Provider, connectionString);
        if (groupCommit is not null) services.AddSingleton(groupCommit);
        services.AddSingleton(runner);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<WorkflowRuntime>();
        var host = new PersistedHost(database, connectionString, file, postgresName, services.BuildServiceProvider());
        await host._services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        foreach (var d in definitions) await host.Store.SaveAsync(d);
        await host.CheckDurabilityAsync();
        return host;
    }

    public DbConnection OpenConnection()
    {
        DbConnection connection = Provider == DatabaseProviders.PostgreSql ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>
    /// The settings the figures are quoted for. SQLite: WAL and synchronous FULL (its default, so each commit is on disk).
    /// PostgreSQL: whatever the server runs with, printed by the scenario (fsync, synchronous_commit).
    /// </summary>
    public async Task CheckDurabilityAsync()
    {
        if (Provider != DatabaseProviders.Sqlite) return;
        await using var connection = OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        var mode = (string?)await command.ExecuteScalarAsync();
        command.CommandText = "PRAGMA synchronous;";
        var synchronous = (long)(await command.ExecuteScalarAsync())!;
        if (mode != "wal" || synchronous != 2)
            throw new InvalidOperationException($"SQLite runs with journal_mode={mode}, synchronous={synchronous}; the benchmark is defined for wal and 2 (FULL).");
    }

    public async Task<string> ScalarTextAsync(string sql)
    {
        await using var connection = OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = OpenConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task PostgresAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresAsync(_database.PostgresAdmin!, $"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)");
            return;
        }
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { System.IO.File.Delete(File + suffix); }
            catch (IOException) { /* left for the OS to clean */ }
        }
    }
}
