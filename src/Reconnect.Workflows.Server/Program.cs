using Reconnect.Workflows.Server.Hosting;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddReconnectConfiguration();
    builder.AddReconnectLogging();
    builder.AddReconnectServices();

    var app = builder.Build();
    app.UseReconnectPipeline();
    app.MapReconnectEndpoints();
    await app.InitializeReconnectAsync();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "Reconnect.Workflows stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
