using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Persistence;

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string PostgreSql = "PostgreSql";
    public const string SqlServer = "SqlServer";

    public static readonly IReadOnlyList<string> All = [Sqlite, PostgreSql, SqlServer];

    /// <summary>Accepts the usual spellings (Postgres, Npgsql, MSSQL, …).</summary>
    public static string Normalize(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        null or "" or "sqlite" => Sqlite,
        "postgresql" or "postgres" or "npgsql" or "pg" => PostgreSql,
        "sqlserver" or "mssql" or "sql server" => SqlServer,
        _ => throw new ArgumentException($"Persistence:Provider '{provider}' is not one of {string.Join(", ", All)}."),
    };
}

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>The database (chosen by provider), the EF stores behind the engine's store interfaces, and the effect writers.</summary>
    public static IServiceCollection AddReconnectPersistence(this IServiceCollection services, string? provider, string connectionString) =>
        services.AddReconnectPersistence(_ => new DatabaseSettings(DatabaseProviders.Normalize(provider), connectionString));

    /// <summary>
    /// As above, with the settings read when first needed, so that a host (or a test's WebApplicationFactory) can still
    /// change configuration after services are registered.
    /// </summary>
    public static IServiceCollection AddReconnectPersistence(this IServiceCollection services, Func<IServiceProvider, DatabaseSettings> settings)
    {
        services.AddSingleton(settings);
        var busyTimeout = new SqliteBusyTimeout(SqliteBusyTimeout.Default);
        services.AddPooledDbContextFactory<SqliteReconnectDbContext>((sp, o) =>
            o.UseSqlite(sp.GetRequiredService<DatabaseSettings>().ConnectionString).AddInterceptors(busyTimeout));
        services.AddPooledDbContextFactory<PostgresReconnectDbContext>((sp, o) => o.UseNpgsql(PostgresConnectionDefaults.Apply(sp.GetRequiredService<DatabaseSettings>().ConnectionString)));
        services.AddPooledDbContextFactory<SqlServerReconnectDbContext>((sp, o) => o.UseSqlServer(sp.GetRequiredService<DatabaseSettings>().ConnectionString));
        services.AddSingleton<IDbContextFactory<ReconnectDbContext>>(sp => sp.GetRequiredService<DatabaseSettings>().Provider switch
        {
            DatabaseProviders.PostgreSql => new DbContextFactoryAdapter<PostgresReconnectDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresReconnectDbContext>>()),
            DatabaseProviders.SqlServer => new DbContextFactoryAdapter<SqlServerReconnectDbContext>(sp.GetRequiredService<IDbContextFactory<SqlServerReconnectDbContext>>()),
            _ => new DbContextFactoryAdapter<SqliteReconnectDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteReconnectDbContext>>()),
        });
        // Scoped context for ASP.NET Core Identity's stores and for request-scoped reads.
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<ReconnectDbContext>>().CreateDbContext());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEffectWriter, CoreEffectWriter>());
        services.AddSingleton<EfWorkflowStore>();
        services.AddSingleton<IWorkflowDefinitionStore>(sp => sp.GetRequiredService<EfWorkflowStore>());
        services.AddSingleton<IWorkflowInstanceStore>(sp => sp.GetRequiredService<EfWorkflowStore>());
        services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<EfWorkflowStore>());
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }
}

public sealed record DatabaseSettings(string Provider, string ConnectionString);

internal sealed class DbContextFactoryAdapter<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ReconnectDbContext>
    where TContext : ReconnectDbContext
{
    public ReconnectDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<ReconnectDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}

/// <summary>Brings the database up to date at start-up: creates SQLite's folder, turns on WAL, applies migrations.</summary>
public sealed class DatabaseInitializer(IDbContextFactory<ReconnectDbContext> contexts, DatabaseSettings settings)
{
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (settings.Provider == DatabaseProviders.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(settings.ConnectionString);
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(directory) && builder.DataSource != ":memory:") Directory.CreateDirectory(directory);
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (settings.Provider == DatabaseProviders.Sqlite)
            // WAL: readers never block the writer; the mode is stored in the file, so this runs once per database.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
