using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Reconnect.Workflows.Server.Tests.Infrastructure;

/// <summary>
/// The real server in-process (WebApplicationFactory) on its own database, with the test clock on and demo accounts.
/// Create with <see cref="StartAsync"/>; dispose to drop the database.
/// </summary>
public sealed class ReconnectApp : WebApplicationFactory<Program>
{
    public const string Password = "Reconnect-demo-1";
    public const string Manager = "manager@reconnect.test";
    public const string Scheduler = "scheduler@reconnect.test";
    public const string Referrer = "referrer@reconnect.test";
    public const string Admin = "admin@reconnect.test";
    public const string NavigatorLeeds = "navigator.lei@reconnect.test";
    public const string NavigatorNewHall = "navigator.nhi@reconnect.test";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDatabase = true;
    private Action<IServiceCollection>? _configureServices;

    public TestDatabase Database { get; }
    public string WorkflowsFolder { get; }

    private ReconnectApp(TestDatabase database, string workflowsFolder, IDictionary<string, string?>? settings, bool ownsDatabase)
        : this(database, workflowsFolder, settings) => _ownsDatabase = ownsDatabase;

    private ReconnectApp(TestDatabase database, string workflowsFolder, IDictionary<string, string?>? settings)
    {
        Database = database;
        WorkflowsFolder = workflowsFolder;
        var logs = Path.Combine(Path.GetTempPath(), "reconnect-tests", "logs");
        _settings = new Dictionary<string, string?>
        {
            ["Persistence:Provider"] = database.Provider,
            ["ConnectionStrings:Reconnect"] = database.ConnectionString,
            ["Testing:ClockControl"] = "true",
            ["Seed:DemoData"] = "true",
            ["Reconnect:WorkflowsPath"] = workflowsFolder,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:WriteTo:1:Args:path"] = Path.Combine(logs, "reconnect-.log"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    /// <summary>A started server. <paramref name="workflowsFolder"/> defaults to an empty temporary folder (nothing deployed).</summary>
    public static async Task<ReconnectApp> StartAsync(string provider = "Sqlite", string? workflowsFolder = null, IDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        if (workflowsFolder is null)
        {
            workflowsFolder = Path.Combine(Path.GetTempPath(), "reconnect-tests", "workflows-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(workflowsFolder);
        }
        var app = new ReconnectApp(database, workflowsFolder, settings);
        try
        {
            _ = app.Server; // builds and starts the host: migrations, seed, deploy
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>A started server whose services <paramref name="configureServices"/> adds to or replaces (after the server's own), e.g. a log sink.</summary>
    public static async Task<ReconnectApp> StartAsync(string provider, string? workflowsFolder, IDictionary<string, string?>? settings, Action<IServiceCollection> configureServices)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var app = new ReconnectApp(database, workflowsFolder ?? NewWorkflowsFolder(), settings) { _configureServices = configureServices };
        try
        {
            _ = app.Server;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return app;
    }

    /// <summary>
    /// A started server on a database the caller owns (it is not dropped when this server is disposed): a restart is a
    /// second server on the same database, and two servers at once are two nodes.
    /// </summary>
    public static ReconnectApp StartOn(TestDatabase database, string workflowsFolder, IDictionary<string, string?>? settings = null)
    {
        var app = new ReconnectApp(database, workflowsFolder, settings, ownsDatabase: false);
        _ = app.Server;
        return app;
    }

    /// <summary>An empty temporary folder for workflow files.</summary>
    public static string NewWorkflowsFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The repository's own workflows/ folder.</summary>
    public static string RepositoryWorkflows => Path.Combine(RepositoryRoot, "workflows");

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_configureServices is { } configure) builder.ConfigureTestServices(configure);
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A client signed in with a bearer token as the given demo user.</summary>
    public async Task<HttpClient> LoginAsync(string email, string password = Password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase) await Database.DisposeAsync();
    }
}
