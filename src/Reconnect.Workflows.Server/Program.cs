using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddReconnectConfiguration();
    builder.AddReconnectLogging();
    builder.AddReconnectServices();

    if (AdminCommand.Is(args))
    {
        // create-admin: the first admin of an empty database, then exit (README, docs/security.md).
        await using var host = builder.Build();
        Environment.ExitCode = await AdminCommand.RunAsync(host.Services, args, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
        return;
    }

    var app = builder.Build();
    app.UseReconnectPipeline();
    app.MapReconnectEndpoints();
    await app.InitializeReconnectAsync();
    await app.RunAsync();
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "Reconnect.Workflows stopped unexpectedly");
    // Rethrown so that a host (and the tests' WebApplicationFactory) sees why start-up failed; the exit code is non-zero.
    throw;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
