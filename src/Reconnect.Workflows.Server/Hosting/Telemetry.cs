using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;

namespace Reconnect.Workflows.Server.Hosting;

/// <summary>
/// <c>OpenTelemetry</c> and <c>Metrics</c> sections. Everything is off by default (no instrument costs anything then):
/// <c>OpenTelemetry:Endpoint</c> turns on OTLP export of traces and metrics; <c>Metrics:Prometheus</c> the
/// <c>/metrics</c> text endpoint (Admin, or a caller from <c>Metrics:AllowedAddresses</c>). docs/persistence.md,
/// "Instruments".
/// </summary>
public sealed class TelemetryOptions
{
    public string? Endpoint { get; set; }
    public bool Prometheus { get; set; }
    public string[] AllowedAddresses { get; set; } = [];
}

public static class Telemetry
{
    public const string MetricsPath = "/metrics";
    public const string ScrapePolicy = "MetricsScrape";

    public static IServiceCollection AddReconnectTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["OpenTelemetry:Endpoint"];
        var prometheus = configuration.GetValue<bool>("Metrics:Prometheus");
        services.Configure<TelemetryOptions>(o =>
        {
            o.Endpoint = endpoint;
            o.Prometheus = prometheus;
            o.AllowedAddresses = configuration.GetSection("Metrics:AllowedAddresses").Get<string[]>() ?? [];
        });
        services.AddAuthorizationBuilder().AddPolicy(ScrapePolicy, p => p.RequireAssertion(context =>
            context.User.IsInRole(Roles.Admin)
            || (context.Resource is HttpContext http && IsAllowedAddress(http, configuration.GetSection("Metrics:AllowedAddresses").Get<string[]>() ?? []))));
        if (string.IsNullOrWhiteSpace(endpoint) && !prometheus) return services;

        services.AddSingleton<TaskGauges>();
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("reconnect-workflows"));
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            // Traces only when they go somewhere: ASP.NET Core requests, EF Core commands (no SQL text: it can carry
            // personal data in literals), and one span per workflow step (ids only).
            otel.WithTracing(t => t
                .AddSource(WorkflowTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
        }
        otel.WithMetrics(m =>
        {
            m.AddMeter(WorkflowTelemetry.Name).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
            if (!string.IsNullOrWhiteSpace(endpoint)) m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            if (prometheus) m.AddPrometheusExporter();
        });
        return services;
    }

    /// <summary><c>/metrics</c> when <c>Metrics:Prometheus</c> is on; nothing (404) otherwise.</summary>
    public static WebApplication MapReconnectMetrics(this WebApplication app)
    {
        if (app.Services.GetService<TaskGauges>() is { } gauges) gauges.Start();
        if (!app.Configuration.GetValue<bool>("Metrics:Prometheus")) return app;
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ScrapePolicy);
        return app;
    }

    private static bool IsAllowedAddress(HttpContext http, string[] allowed)
    {
        if (http.Connection.RemoteIpAddress is not { } remote || allowed.Length == 0) return false;
        if (remote.IsIPv4MappedToIPv6) remote = remote.MapToIPv4();
        foreach (var text in allowed)
            if (IPAddress.TryParse(text, out var address) && address.Equals(remote)) return true;
        return false;
    }
}

/// <summary>
/// <c>reconnect.tasks.open</c> and <c>reconnect.tasks.overdue</c> by site: read when a collector asks (one indexed
/// grouped count on <c>Tasks</c>), at most every 15 s; never kept per task in memory.
/// </summary>
public sealed class TaskGauges(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, ILogger<TaskGauges> logger) : IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);
    private readonly Meter _meter = new(WorkflowTelemetry.Name);
    private readonly object _lock = new();
    private (DateTimeOffset At, List<(string Site, int Open, int Overdue)> Rows)? _last;

    public void Start()
    {
        _meter.CreateObservableGauge("reconnect.tasks.open", () => Read().Select(r => new Measurement<int>(r.Open, new KeyValuePair<string, object?>("site", r.Site))),
            "{task}", "Open (or claimed) inbox tasks, by site");
        _meter.CreateObservableGauge("reconnect.tasks.overdue", () => Read().Select(r => new Measurement<int>(r.Overdue, new KeyValuePair<string, object?>("site", r.Site))),
            "{task}", "Open tasks past their due instant (workflow clock), by site");
    }

    private List<(string Site, int Open, int Overdue)> Read()
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_last is { } last && now - last.At < MaxAge && now >= last.At) return last.Rows;
            try
            {
                using var db = contexts.CreateDbContext();
                var rows = db.Tasks.AsNoTracking()
                    .Where(t => t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed)
                    .GroupBy(t => t.Site)
                    .Select(g => new { Site = g.Key, Open = g.Count(), Overdue = g.Count(t => t.DueAt != null && t.DueAt < now) })
                    .ToList()
                    .Select(r => (r.Site ?? "none", r.Open, r.Overdue))
                    .ToList();
                _last = (now, rows);
                return rows;
            }
#pragma warning disable CA1031 // a scrape must not fail because the database is busy; the last figures (or none) stand
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogWarning(ex, "Could not count tasks for the task gauges");
                return _last?.Rows ?? [];
            }
        }
    }

    public void Dispose() => _meter.Dispose();
}
