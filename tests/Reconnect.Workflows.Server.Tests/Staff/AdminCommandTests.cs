using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Testing;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary>The first admin of an empty production database: the <c>create-admin</c> server command (README, docs/security.md).</summary>
public class AdminCommandTests
{
    private const string Email = "first.admin@example.nhs.uk";
    private const string Password = "First-admin-password-2027";
    private static readonly Dictionary<string, string?> NoDemo = new() { ["Seed:DemoData"] = "false" };

    private static async Task<(int Code, string Out, string Err)> RunAsync(ReconnectApp app, string[] args, string stdin = "", string? variable = null)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = await AdminCommand.RunAsync(app.Services, args, new StringReader(stdin), output, errors,
            name => name == AdminCommand.PasswordVariable ? variable : null);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public async Task CreateAdmin_EmptyDatabase_PasswordFromStdin_CreatesAnAdminWhoSignsIn_Once()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", settings: NoDemo);
        await using (var db = await app.DbAsync())
            Assert.Equal(0, await db.Users.CountAsync());

        var (code, output, errors) = await RunAsync(app, ["create-admin", "--email", Email, "--name", "First admin", "--password-stdin"], Password + "\n");
        Assert.True(code == 0, errors);
        Assert.Contains(Email, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, output + errors, StringComparison.Ordinal);

        var admin = await app.LoginAsync(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/users")).StatusCode);
        var audit = Assert.Single(await app.AuditAsync(), a => a.Action == "user-create");
        Assert.Equal("create-admin command", audit.UserName);
        Assert.Null(audit.UserId);

        // Once: with an active admin the command refuses (exit 1) and makes nothing.
        var again = await RunAsync(app, ["create-admin", "--email", "second.admin@example.nhs.uk"], variable: "Second-admin-password-2027");
        Assert.Equal(1, again.Code);
        Assert.Contains("admin exists", again.Err, StringComparison.Ordinal);
        await using (var db = await app.DbAsync())
            Assert.Equal(1, await db.Users.CountAsync());
    }

    [Fact]
    public async Task CreateAdmin_NoPasswordOrAWeakOne_Exit2AndNoAccount()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", settings: NoDemo);
        Assert.Equal(2, (await RunAsync(app, ["create-admin", "--email", Email])).Code);
        Assert.Equal(2, (await RunAsync(app, ["create-admin", "--email", Email, "--password-stdin"], "")).Code);
        var weak = await RunAsync(app, ["create-admin", "--email", Email], variable: "short");
        Assert.Equal(2, weak.Code);
        Assert.Contains("password", weak.Err, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync(app, ["create-admin"], variable: Password)).Code);
        Assert.Equal(2, (await RunAsync(app, ["create-admin", "--email", "not an address"], variable: Password)).Code);
        await using var db = await app.DbAsync();
        Assert.Equal(0, await db.Users.CountAsync());
    }

    [Fact]
    public async Task CreateAdmin_AsAProcessInProduction_MigratesCreatesAndTheServerThenSignsThemIn()
    {
        await using var database = await TestDatabase.CreateAsync("Sqlite");
        var dll = Path.Combine(AppContext.BaseDirectory, "Reconnect.Workflows.Server.dll");
        var info = new ProcessStartInfo("dotnet", [dll, "create-admin", "--email", Email, "--password-stdin"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["RECONNECT_ROOT"] = ReconnectApp.RepositoryRoot;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Persistence__Provider"] = database.Provider;
        info.Environment["ConnectionStrings__Reconnect"] = database.ConnectionString;
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        info.Environment["Serilog__WriteTo__1__Args__path"] = Path.Combine(Path.GetTempPath(), "reconnect-tests", "logs", "create-admin-.log");
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteLineAsync(Password);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await output} {await errors}");

        await using var app = ReconnectApp.StartOn(database, ReconnectApp.NewWorkflowsFolder(), NoDemo);
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var admin = await users.FindByEmailAsync(Email);
            Assert.NotNull(admin);
            Assert.Equal(["Admin"], await users.GetRolesAsync(admin));
        }
        var client = await app.LoginAsync(Email, Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users")).StatusCode);
    }
}
