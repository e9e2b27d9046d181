using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>SPEC §8: no names, dates of birth, NHS numbers (or prison numbers) in logs, at every level.</summary>
public class ReferralLogPrivacyTests
{
    /// <summary>Every Serilog event (Microsoft.Extensions.Logging goes through Serilog too), rendered with every property.</summary>
    private sealed class CapturingSink : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();
        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);

        public IEnumerable<string> Texts() => Events.Select(e =>
            e.RenderMessage() + " | " + e.MessageTemplate.Text + " | " + e.Exception + " | "
            + string.Join(" | ", e.Properties.Select(p => p.Key + "=" + p.Value.ToString())));
    }

    [Fact]
    public async Task Logs_CreateReadEventAndFailedCreate_NoPersonalData()
    {
        var sink = new CapturingSink();
        var everything = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Quartz"] = "Verbose",
            // The console and file sinks stay quiet; the capturing sink sees everything.
            ["Serilog:WriteTo:0:Args:restrictedToMinimumLevel"] = "Fatal",
            ["Serilog:WriteTo:1:Args:restrictedToMinimumLevel"] = "Fatal",
        };
        await using var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows, everything,
            services => services.AddSingleton<ILogEventSink>(sink));
        var manager = await app.LoginAsync(ReconnectApp.Manager);
        var today = app.Today();
        const string given = "Quillonia", family = "Marrowbridge", prison = "Q9876ZX", nhs = "9434765919";
        var born = today.AddYears(-41).AddDays(-123);
        var body = Body(today, prison);
        body["person"] = new JsonObject { ["givenName"] = given, ["familyName"] = family, ["dateOfBirth"] = D(born), ["prisonNumber"] = prison, ["nhsNumber"] = nhs };

        var id = (await manager.CreateReferralAsync(body))["id"].Str();
        await manager.GetReferralAsync(id);
        await (await manager.GetAsync($"{ReferralsUrl}?site=LEI&stage=Triage")).JsonAsync(HttpStatusCode.OK);
        await (await manager.EventAsync(id, "release-date-changed", new JsonObject { ["releaseDate"] = D(today.AddDays(40)) })).JsonAsync(HttpStatusCode.OK);
        var refused = (JsonObject)body.DeepClone();
        refused["person"]!["prisonNumber"] = "Q9876Z";
        refused["consent"]!["given"] = false;
        await (await manager.PostJsonAsync(ReferralsUrl, refused)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        await (await manager.PostJsonAsync(ReferralsUrl, body)).ProblemAsync(HttpStatusCode.Conflict);

        var texts = sink.Texts().ToList();
        Assert.Contains(texts, t => t.Contains("/api/referrals", StringComparison.Ordinal)); // the sink sees request logs
        string[] forbidden = [given, family, prison, "Q9876Z", nhs, "943 476 5919", D(born), born.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var text in texts)
            foreach (var value in forbidden)
                Assert.False(text.Contains(value, StringComparison.OrdinalIgnoreCase), $"'{value}' logged: {text}");
        // Request logging: method, path, status, time; never a query string.
        Assert.DoesNotContain(texts, t => t.Contains("RequestLoggingMiddleware", StringComparison.Ordinal) && t.Contains("stage=Triage", StringComparison.Ordinal));
    }
}
