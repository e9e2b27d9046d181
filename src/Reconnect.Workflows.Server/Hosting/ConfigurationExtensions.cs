using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Server.Hosting;

public static class ConfigurationExtensions
{
    /// <summary>
    /// The server reads the repository-root <c>appsettings.json</c> (SPEC §10), then <c>appsettings.{Environment}.json</c>
    /// beside it, then environment variables and the command line, which override it.
    /// </summary>
    public static WebApplicationBuilder AddReconnectConfiguration(this WebApplicationBuilder builder)
    {
        var root = RepositoryRoot.Find(builder.Environment.ContentRootPath);
        // Lowest priority first: everything the default builder added (environment variables, command line, test
        // overrides) still wins over the files.
        var files = new PhysicalFileProvider(root);
        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource { FileProvider = files, Path = "appsettings.json", Optional = true });
        builder.Configuration.Sources.Insert(1, new JsonConfigurationSource { FileProvider = files, Path = $"appsettings.{builder.Environment.EnvironmentName}.json", Optional = true });
        builder.Configuration["Reconnect:Root"] = root;
        return builder;
    }

    /// <summary>The database provider and connection string, with a relative SQLite path taken from the repository root.</summary>
    public static (string Provider, string ConnectionString) GetDatabase(this IConfiguration configuration)
    {
        var provider = DatabaseProviders.Normalize(configuration["Persistence:Provider"]);
        var connectionString = configuration.GetConnectionString("Reconnect");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProviders.Sqlite)
                throw new InvalidOperationException($"ConnectionStrings:Reconnect is required for Persistence:Provider {provider}.");
            connectionString = "Data Source=data/reconnect.db";
        }
        if (provider == DatabaseProviders.Sqlite)
        {
            var sqlite = new SqliteConnectionStringBuilder(connectionString);
            if (sqlite.DataSource != ":memory:" && !Path.IsPathRooted(sqlite.DataSource))
                sqlite.DataSource = Path.Combine(configuration["Reconnect:Root"] ?? Directory.GetCurrentDirectory(), sqlite.DataSource);
            connectionString = sqlite.ToString();
        }
        return (provider, connectionString);
    }
}

/// <summary>Finds the repository root: the nearest folder up from the content root that holds <c>appsettings.json</c> and <c>workflows/</c>.</summary>
public static class RepositoryRoot
{
    public static string Find(string start)
    {
        if (Environment.GetEnvironmentVariable("RECONNECT_ROOT") is { Length: > 0 } fromEnvironment) return Path.GetFullPath(fromEnvironment);
        foreach (var origin in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "workflows")))
                    return dir.FullName;
        }
        return start;
    }
}
