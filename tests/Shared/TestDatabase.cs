using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reconnect.Workflows.Testing;

/// <summary>
/// A fresh, empty database per test server: a temporary SQLite file, or a new database on the PostgreSQL cluster that
/// ./test.sh starts (its address in RECONNECT_TEST_POSTGRES). Dropped when disposed.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "RECONNECT_TEST_POSTGRES";

    private readonly string? _sqliteFile;
    private readonly string? _postgresAdmin;
    private readonly string? _postgresDatabase;

    public string Provider { get; }
    public string ConnectionString { get; }

    private TestDatabase(string provider, string connectionString, string? sqliteFile = null, string? postgresAdmin = null, string? postgresDatabase = null)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
        _postgresAdmin = postgresAdmin;
        _postgresDatabase = postgresDatabase;
    }

    public static Task<TestDatabase> CreateAsync(string provider) => provider switch
    {
        "Sqlite" => Task.FromResult(CreateSqlite()),
        "PostgreSql" => CreatePostgresAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Sqlite or PostgreSql"),
    };

    public static TestDatabase CreateSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-tests");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"{Guid.NewGuid():N}.db");
        return new TestDatabase("Sqlite", new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString(), sqliteFile: file);
    }

    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"PostgreSQL tests need a server: run ./test.sh (it starts a throwaway cluster), or set {PostgresVariable} to an admin connection string.");

    private static async Task<TestDatabase> CreatePostgresAsync()
    {
        var admin = PostgresAdminConnectionString;
        var name = "reconnect_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase("PostgreSql", builder.ToString(), postgresAdmin: admin, postgresDatabase: name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try { File.Delete(_sqliteFile + suffix); }
                catch (IOException) { /* a file still open by a dying server; the temp folder is cleaned by the OS */ }
            }
        }
        if (_postgresAdmin is not null && _postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_postgresAdmin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
