using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Reconnect.Workflows.Testing;

namespace Reconnect.Workflows.Browser.Tests;

/// <summary>
/// The real server as an OS process (the built Reconnect.Workflows.Server.dll) on a loopback port, on a fresh SQLite
/// file with the repository's workflows and the demo accounts, plus one headless Chromium (Debian's, /usr/bin/chromium).
/// Shared by the tests of <see cref="BrowserCollection"/>; each test opens its own browser context (own cookies). The
/// server signs in through the organisation too: <see cref="IdentityProvider"/> (OpenIddict in this process, at
/// http://localhost, another site than the server's 127.0.0.1) is its OpenID Connect provider.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in IAsyncLifetime.DisposeAsync, which xunit calls.")]
public sealed class BrowserServer : IAsyncLifetime
{
    /// <summary>
    /// How long a step of a browser test may wait. CI runs these beside the server tests on 2 cores, where one circuit
    /// round trip has been seen to take over 20 s; a real fault still fails, only later.
    /// </summary>
    public const float DefaultTimeout = 40_000;

    public const string Password = "Reconnect-demo-1";
    public const string NavigatorLeeds = "navigator.lei@reconnect.test";
    public const string Referrer = "referrer@reconnect.test";
    public const string Admin = "admin@reconnect.test";
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly StringBuilder _output = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "reconnect-tests", "browser-" + Guid.NewGuid().ToString("N"));
    private Process? _process;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = default!;
    public IBrowser Browser { get; private set; } = default!;
    public TestIdentityProvider IdentityProvider { get; private set; } = default!;

    /// <summary>The provider's name on the login page's button.</summary>
    public const string OrganisationName = "Test NHSmail";

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("No repository root above " + AppContext.BaseDirectory);
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"Chromium is not at {ChromiumPath}: apt-get install -y chromium (./test.sh does).");
        Directory.CreateDirectory(_folder);
        // Expect(...) has its own default (5 s) besides the context's: the same room for a loaded machine.
        Assertions.SetDefaultExpectTimeout(DefaultTimeout);
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        IdentityProvider = await TestIdentityProvider.StartAsync([new Uri(BaseAddress, "/signin-oidc")]);
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Reconnect.Workflows.Server.dll"), "--urls", BaseAddress.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        var environment = new Dictionary<string, string>
        {
            ["RECONNECT_ROOT"] = RepositoryRoot,
            // Development, not Testing: an unpublished build serves the framework's static web assets (_framework/blazor.web.js,
            // _content/MudBlazor) only when the host loads the static web assets manifest, which it does in Development.
            // In Testing the script comes back as an empty 200 and no circuit ever starts.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Persistence__Provider"] = "Sqlite",
            ["ConnectionStrings__Reconnect"] = $"Data Source={Path.Combine(_folder, "reconnect.db")};Pooling=False",
            ["Testing__ClockControl"] = "true",
            ["Seed__DemoData"] = "true",
            // Development seeds 60 synthetic referrals on first run; the browser tests make their own.
            ["Seed__DemoReferrals"] = "0",
            // The tests sign in many times a minute from one address.
            ["Reconnect__RateLimiting__SignInsPerMinutePerAddress"] = "10000",
            ["Reconnect__WorkflowsPath"] = Path.Combine(RepositoryRoot, "workflows"),
            ["Authentication__OpenIdConnect__Authority"] = IdentityProvider.Authority.ToString(),
            ["Authentication__OpenIdConnect__ClientId"] = TestIdentityProvider.ClientId,
            ["Authentication__OpenIdConnect__ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["Authentication__OpenIdConnect__DisplayName"] = OrganisationName,
            // The test provider is plain http.
            ["Authentication__OpenIdConnect__RequireHttpsMetadata"] = "false",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__WriteTo__1__Args__path"] = Path.Combine(_folder, "logs", "server-.log"),
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitHealthyAsync(TimeSpan.FromSeconds(90));
        // The first render of a page and of the framework script are slow on a cold server; pay for them here, not
        // inside the first test's 20 s browser timeout.
        using (var warm = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(1) })
        {
            (await warm.GetAsync("/login")).EnsureSuccessStatusCode();
            (await warm.GetAsync("/_framework/blazor.web.js")).EnsureSuccessStatusCode();
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A new browser context (no cookies) with a page on the server; generous timeouts for a 2-core CI machine.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(DefaultTimeout);
        var page = await context.NewPageAsync();
        Ui.Record(page);
        return page;
    }

    /// <summary>A bearer-token client as a demo user, for setting up data through the HTTP API.</summary>
    public async Task<HttpClient> ApiAsync(string email)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// Deactivates an account a test made (found by e-mail; none: nothing to do). New referrals go to the least-loaded
    /// active navigator of their site, so a navigator a test adds at LEI would take the LEI referrals that later tests
    /// expect in navigator.lei's inbox: every test that adds one deactivates it when it ends, failed or not.
    /// </summary>
    public async Task DeactivateAsync(string email)
    {
        using var admin = await ApiAsync(Admin);
        var users = (await admin.GetFromJsonAsync<JsonArray>("/api/users"))!;
        var user = users.FirstOrDefault(u => string.Equals(u!["email"]?.GetValue<string>(), email, StringComparison.OrdinalIgnoreCase));
        if (user is null || user["active"]?.GetValue<bool>() == false) return;
        var id = user["id"]!.GetValue<string>();
        var response = await admin.PostAsync($"/api/users/{id}/deactivate", null);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"deactivate answered {(int)response.StatusCode}");
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { /* not listening yet */ }
            catch (TaskCanceledException) { /* busy starting */ }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The server did not become healthy in {timeout}:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
        if (IdentityProvider is not null) await IdentityProvider.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserServer>
{
    public const string Name = "Browser";
}
