using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reconnect.Workflows.Bench.Engines;

/// <summary>
/// The built server (<c>Reconnect.Workflows.Server.dll</c>) as a real process on a loopback port, for the scenarios
/// that measure the server as it runs (timers at scale, memory): the same way the reliability tests start it.
/// </summary>
public sealed class ServerNode : IAsyncDisposable
{
    public const string ManagerEmail = "manager@reconnect.test";
    public const string AdminEmail = "admin@reconnect.test";
    private const string Password = "Reconnect-demo-1";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public Uri BaseAddress { get; }
    public int ProcessId => _process.Id;

    private ServerNode(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>The repository root (holds Reconnect.Workflows.sln): the server reads appsettings.json there.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    /// <summary>Where <c>dotnet build src/Reconnect.Workflows.Server -c Release</c> puts the server.</summary>
    public static string DefaultServerDll() =>
        Path.Combine(RepositoryRoot(), "src", "Reconnect.Workflows.Server", "bin", "Release", "net10.0", "Reconnect.Workflows.Server.dll");

    public static async Task<ServerNode> StartAsync(string serverDll, string provider, string connectionString, string workflowsFolder, IDictionary<string, string>? settings = null)
    {
        if (!File.Exists(serverDll))
            throw new FileNotFoundException($"No server at {serverDll}: build it first (dotnet build src/Reconnect.Workflows.Server -c Release) or pass --server-dll.");
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
        };
        var environment = new Dictionary<string, string>
        {
            ["RECONNECT_ROOT"] = RepositoryRoot(),
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Persistence__Provider"] = provider,
            ["ConnectionStrings__Reconnect"] = connectionString,
            ["Testing__ClockControl"] = "true",
            ["Seed__DemoData"] = "true",
            ["Reconnect__WorkflowsPath"] = workflowsFolder,
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__WriteTo__1__Args__path"] = Path.Combine(Path.GetTempPath(), "reconnect-bench", "logs", "server-.log"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info };
        var node = new ServerNode(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (node._output) node._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (node._output) node._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited with {process.ExitCode}:\n{node.Output}");
            try
            {
                if ((await probe.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return node;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { /* starting */ }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The server did not become healthy:\n{node.Output}");
            await Task.Delay(200);
        }
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Resident set (working set) of the server process, from /proc: what the OS has given it now.</summary>
    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public async Task<HttpClient> LoginAsync(string email)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<string> StartInstanceAsync(HttpClient client, string definitionId, string correlationId, object? input = null)
    {
        var response = await client.PostAsJsonAsync("/api/workflow-instances", new { definitionId, correlationId, input });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    /// <summary>A folder with these workflow files, deployed by the server at start-up.</summary>
    public static string WorkflowsFolder(params (string Id, string Json)[] workflows)
    {
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var (id, json) in workflows) File.WriteAllText(Path.Combine(folder, id + ".json"), json);
        return folder;
    }

    public static DbConnection Open(string provider, string connectionString)
    {
        DbConnection connection = provider == "PostgreSql" ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    public static async Task<long> ScalarAsync(string provider, string connectionString, string sql)
    {
        await using var connection = Open(provider, connectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task<string?> ScalarTextAsync(string provider, string connectionString, string sql)
    {
        await using var connection = Open(provider, connectionString);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
