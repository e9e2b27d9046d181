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
    public static IServiceCollection AddReconnectPersistence(this IServiceCollection services, string? provider, string connectionString)
    {
        var normalized = DatabaseProviders.Normalize(provider);
        switch (normalized)
        {
            case DatabaseProviders.Sqlite:
                services.AddPooledDbContextFactory<SqliteReconnectDbContext>(o => o.UseSqlite(connectionString));
                services.AddSingleton<IDbContextFactory<ReconnectDbContext>, DbContextFactoryAdapter<SqliteReconnectDbContext>>();
                break;
            case DatabaseProviders.PostgreSql:
                services.AddPooledDbContextFactory<PostgresReconnectDbContext>(o => o.UseNpgsql(connectionString));
                services.AddSingleton<IDbContextFactory<ReconnectDbContext>, DbContextFactoryAdapter<PostgresReconnectDbContext>>();
                break;
            case DatabaseProviders.SqlServer:
                services.AddPooledDbContextFactory<SqlServerReconnectDbContext>(o => o.UseSqlServer(connectionString));
                services.AddSingleton<IDbContextFactory<ReconnectDbContext>, DbContextFactoryAdapter<SqlServerReconnectDbContext>>();
                break;
        }
        services.AddSingleton(new DatabaseSettings(normalized, connectionString));
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
