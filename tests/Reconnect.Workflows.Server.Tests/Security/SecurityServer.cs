using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Server.Tests.Api;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;
using static Reconnect.Workflows.Server.Tests.Api.Kit;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Security;

/// <summary>Who calls: anonymous and one account per role (a navigator of each of two sites).</summary>
public enum Caller { Anonymous, Referrer, NavigatorLei, NavigatorNhi, Manager, Scheduler, Admin }

/// <summary>
/// One real server per test class (xunit class fixture), on SQLite with the repository's pathways deployed, and the
/// things the security tests point at: a LEI referral (made by the referrer) and an NHI referral (made by the manager),
/// the first task of each, a published workflow waiting for an event with one instance, a draft workflow, a schedule.
/// </summary>
public sealed class SecurityServer : IAsyncLifetime
{
    public const string FlowId = "security-flow";
    public const string FlowEvent = "security-go";
    public const string DraftId = "security-draft";

    public ReconnectApp App { get; private set; } = null!;
    public Dictionary<Caller, HttpClient> Clients { get; } = [];
    public string ReferralLei { get; private set; } = "";
    public string ReferralNhi { get; private set; } = "";
    public string TaskLei { get; private set; } = "";
    public string TaskNhi { get; private set; } = "";
    public string InstanceId { get; private set; } = "";
    public string ScheduleName { get; private set; } = "";
    public string RefreshToken { get; private set; } = "";
    /// <summary>An account made for the tests to change (a referrer), so that no caller's own account is touched.</summary>
    public string StaffTarget { get; private set; } = "";
    public string NavigatorLeiId { get; private set; } = "";
    /// <summary>An absence of LEI's navigator that is over (written straight to the database: the API takes none in the past).</summary>
    public string PastAbsence { get; } = "past-absence-of-lei";
    /// <summary>A notification of LEI's navigator (theirs to mark read; anyone else's answer: 404).</summary>
    public string NotificationLei { get; } = "notification-of-lei";
    public DateOnly Today { get; private set; }

    public static readonly IReadOnlyDictionary<Caller, string?> Emails = new Dictionary<Caller, string?>
    {
        [Caller.Anonymous] = null,
        [Caller.Referrer] = ReconnectApp.Referrer,
        [Caller.NavigatorLei] = ReconnectApp.NavigatorLeeds,
        [Caller.NavigatorNhi] = ReconnectApp.NavigatorNewHall,
        [Caller.Manager] = ReconnectApp.Manager,
        [Caller.Scheduler] = ReconnectApp.Scheduler,
        [Caller.Admin] = ReconnectApp.Admin,
    };

    public HttpClient this[Caller caller] => Clients[caller];

    /// <summary>Errors the server logged (an unhandled exception behind a 500 among them), so a failing test can name them.</summary>
    public ConcurrentQueue<LogEvent> Errors { get; } = new();

    private sealed class ErrorSink(ConcurrentQueue<LogEvent> errors) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            if (logEvent.Level >= LogEventLevel.Error && logEvent.Exception is not null) errors.Enqueue(logEvent);
        }
    }

    public async Task InitializeAsync()
    {
        // Every fuzzed sign-in body must reach the handler, not the per-address sign-in limit (RateLimitingTests test that).
        var settings = new Dictionary<string, string?> { ["Reconnect:RateLimiting:SignInsPerMinutePerAddress"] = "1000000" };
        App = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows, settings,
            services => services.AddSingleton<ILogEventSink>(new ErrorSink(Errors)));
        foreach (var (caller, email) in Emails)
            Clients[caller] = email is null ? App.CreateClient() : await App.LoginAsync(email);

        var login = await App.CreateClient().PostAsJsonAsync("/api/auth/login", new { email = ReconnectApp.Scheduler, password = ReconnectApp.Password });
        RefreshToken = (await login.Content.ReadFromJsonAsync<JsonObject>())!["refreshToken"]!.GetValue<string>();

        Today = App.Today();
        ReferralLei = (await this[Caller.Referrer].CreateReferralAsync(Body(Today, PrisonNumber(9001), site: "LEI")))["id"].Str();
        ReferralNhi = (await this[Caller.Manager].CreateReferralAsync(Body(Today, PrisonNumber(9002), site: "NHI")))["id"].Str();
        await using (var db = await App.DbAsync())
        {
            TaskLei = (await db.Tasks.AsNoTracking().Where(t => t.SubjectId == ReferralLei).OrderBy(t => t.Id).FirstAsync()).Id;
            TaskNhi = (await db.Tasks.AsNoTracking().Where(t => t.SubjectId == ReferralNhi).OrderBy(t => t.Id).FirstAsync()).Id;
        }

        var manager = this[Caller.Manager];
        await manager.CreateAndPublishAsync(EventFlow(FlowId, FlowEvent));
        InstanceId = (await manager.StartAsync(FlowId, correlationId: "security-1"))["id"].Str();
        await (await manager.PostJsonAsync(Definitions, HelloFlow(DraftId))).JsonAsync(HttpStatusCode.Created);

        StaffTarget = (await (await this[Caller.Admin].PostJsonAsync("/api/users", new JsonObject
        {
            ["email"] = "security.target@reconnect.test", ["roles"] = new JsonArray("Referrer"), ["password"] = "Security-target-2027",
        })).JsonAsync(HttpStatusCode.Created))["id"].Str();

        NavigatorLeiId = await App.UserIdAsync(ReconnectApp.NavigatorLeeds);
        await using (var db = await App.DbAsync())
        {
            db.StaffAbsences.Add(new Reconnect.Workflows.Persistence.Entities.StaffAbsenceRecord
            {
                Id = PastAbsence, UserId = NavigatorLeiId, From = Today.AddDays(-20), To = Today.AddDays(-10), CreatedAt = DateTimeOffset.UnixEpoch,
                CoverStartedAt = DateTimeOffset.UnixEpoch, CoverEndedAt = DateTimeOffset.UnixEpoch,
            });
            db.Notifications.Add(new Reconnect.Workflows.Persistence.Entities.NotificationRecord
            {
                Id = NotificationLei, UserId = NavigatorLeiId, At = DateTimeOffset.UnixEpoch, Kind = "task-assigned", Text = "A manager gave you a task.", Link = "/inbox",
            });
            await db.SaveChangesAsync();
        }

        var schedules = await (await this[Caller.Scheduler].GetAsync("/api/schedules")).ArrayAsync();
        var workflowSchedule = schedules.FirstOrDefault(s => s!["kind"]?.GetValue<string>() == "workflow") ?? schedules.First();
        ScheduleName = workflowSchedule!["name"].Str();
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients.Values) client.Dispose();
        await App.DisposeAsync();
    }
}
