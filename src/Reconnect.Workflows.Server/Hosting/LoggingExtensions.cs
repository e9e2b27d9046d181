using Serilog;

namespace Reconnect.Workflows.Server.Hosting;

public static class LoggingExtensions
{
    /// <summary>Serilog from configuration (console + rolling file in appsettings.json). Log file paths are taken from the repository root.</summary>
    public static WebApplicationBuilder AddReconnectLogging(this WebApplicationBuilder builder)
    {
        var root = builder.Configuration["Reconnect:Root"] ?? Directory.GetCurrentDirectory();
        // File sinks' relative paths are taken from the repository root, not from wherever the process started.
        foreach (var sink in builder.Configuration.GetSection("Serilog:WriteTo").GetChildren())
        {
            var path = sink["Args:path"];
            if (!string.IsNullOrEmpty(path) && !Path.IsPathRooted(path)) builder.Configuration[$"{sink.Path}:Args:path"] = Path.Combine(root, path);
        }
        builder.Services.AddSerilog((services, configuration) => configuration
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Node", Environment.MachineName + ":" + Environment.ProcessId),
            // The static logger stays the bootstrap one (used only if start-up fails): several hosts in one process
            // (the tests' WebApplicationFactory) must not race to freeze it.
            preserveStaticLogger: true);
        return builder;
    }
}
