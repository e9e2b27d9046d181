using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Pathway;

/// <summary>
/// The real pathway (workflows/*.json) on a real server: referrals through <see cref="ReferralService"/>, task outcomes
/// through <see cref="WorkflowRuntime.CompleteTaskAsync"/>, time through <c>POST /api/testing/clock</c> as Admin.
/// Independent of the referral and task HTTP APIs.
/// </summary>
internal sealed class PathwayKit : IAsyncDisposable
{
    public const string Postgres = "PostgreSql";

    private readonly HttpClient _admin;

    public ReconnectApp App { get; }
    public ReferralService Referrals => App.Service<ReferralService>();
    public DateTimeOffset Now => App.Service<ControllableTimeProvider>().GetUtcNow();
    public DateOnly Today => LondonTime.Today(Now);

    private PathwayKit(ReconnectApp app, HttpClient admin)
    {
        App = app;
        _admin = admin;
    }

    public static async Task<PathwayKit> StartAsync(string provider = "Sqlite", IDictionary<string, string?>? settings = null)
    {
        var app = await ReconnectApp.StartAsync(provider, ReconnectApp.RepositoryWorkflows, settings);
        try
        {
            return new PathwayKit(app, await app.LoginAsync(ReconnectApp.Admin));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ReferralRequest Request(DateOnly? releaseDate, DateOnly referralDate, string prisonNumber = "A1234BC", string site = "LEI",
        string releaseType = "ConditionalRelease") => new()
    {
        Person = new PersonRequest { GivenName = "Sam", FamilyName = "Example", DateOfBirth = "1990-05-17", PrisonNumber = prisonNumber },
        Site = site,
        ReleaseDate = releaseDate is { } r ? Iso(r) : null,
        ReleaseType = releaseType,
        ReferralSource = "PrisonHealthcare",
        HealthNeeds = ["MentalHealth", "Medication"],
        Consent = new ConsentRequest { Given = true },
        ReferralDate = Iso(referralDate),
    };

    /// <summary>A referral made today with the release the given number of days away (negative: already released).</summary>
    public async Task<string> CreateAsync(int releaseInDays = 30, string prisonNumber = "A1234BC", string site = "LEI")
    {
        var result = await Referrals.CreateAsync(Request(Today.AddDays(releaseInDays), Today, prisonNumber, site), "tester");
        return Assert.IsType<CreateReferralResult.Created>(result).ReferralId;
    }

    public async Task<string> CreateAsync(ReferralRequest request)
    {
        var result = await Referrals.CreateAsync(request, "tester");
        return Assert.IsType<CreateReferralResult.Created>(result).ReferralId;
    }

    public async Task<string> SendAsync(string referralId, string eventName, JsonObject? payload = null)
    {
        var result = await Referrals.SendEventAsync(referralId, eventName, payload ?? [], "tester");
        return Assert.IsType<ReferralEventResult.Applied>(result).Stage;
    }

    /// <summary>Moves the workflow clock forward to the given London date and time (default 10:00), firing what fell due.</summary>
    public async Task AdvanceToAsync(DateOnly date, int hour = 10, int minute = 0) =>
        await AdvanceToAsync(LondonTime.AtLondonTime(date, new TimeOnly(hour, minute)));

    public async Task AdvanceToAsync(DateTimeOffset instant)
    {
        var by = instant - Now;
        Assert.True(by > TimeSpan.Zero, $"The clock is already at {Now:O}, past {instant:O}.");
        await AdvanceByAsync(by);
    }

    public async Task AdvanceByAsync(TimeSpan by)
    {
        var seconds = (long)Math.Ceiling(by.TotalSeconds);
        var response = await _admin.PostAsJsonAsync("/api/testing/clock", new { advanceBy = $"PT{seconds}S" });
        response.EnsureSuccessStatusCode();
    }

    public async Task<ReconnectDbContext> DbAsync() => await App.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();

    public async Task<ReferralRecord> ReferralAsync(string referralId)
    {
        await using var db = await DbAsync();
        return await db.Referrals.AsNoTracking().SingleAsync(r => r.Id == referralId);
    }

    public async Task<List<WorkflowTaskRecord>> TasksAsync(string referralId)
    {
        await using var db = await DbAsync();
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.SubjectId == referralId).ToListAsync();
        return tasks.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<List<WorkflowTaskRecord>> OpenTasksAsync(string referralId) =>
        (await TasksAsync(referralId)).Where(t => t.Status == TaskStatuses.Open).ToList();

    /// <summary>The one open task of the referral with this title.</summary>
    public async Task<WorkflowTaskRecord> OpenTaskAsync(string referralId, string title)
    {
        var open = (await OpenTasksAsync(referralId)).Where(t => t.Title == title).ToList();
        Assert.True(open.Count == 1, $"Expected one open '{title}' task, found {open.Count}; open: {string.Join(", ", (await OpenTasksAsync(referralId)).Select(t => t.Title))}");
        return open[0];
    }

    public async Task<bool> HasOpenTaskAsync(string referralId, string title) =>
        (await OpenTasksAsync(referralId)).Any(t => t.Title == title);

    public async Task CompleteAsync(string referralId, string title, string outcome)
    {
        var task = await OpenTaskAsync(referralId, title);
        var result = await App.Service<WorkflowRuntime>().CompleteTaskAsync(task.Id, outcome);
        Assert.True(result.Succeeded, $"Completing '{title}' with {outcome}: {result.Status} {result.Message}");
    }

    public async Task<List<BookmarkRecord>> BookmarksAsync(string referralId)
    {
        var instanceId = (await ReferralAsync(referralId)).WorkflowInstanceId;
        await using var db = await DbAsync();
        return await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == instanceId).ToListAsync();
    }

    /// <summary>The due time of the waiting timer of an activity of the pathway.</summary>
    public async Task<DateTimeOffset> TimerDueAsync(string referralId, string activityId)
    {
        var timers = (await BookmarksAsync(referralId)).Where(b => b.ActivityId == activityId).ToList();
        Assert.True(timers.Count == 1, $"Expected one bookmark of '{activityId}', found {timers.Count}.");
        Assert.NotNull(timers[0].DueAt);
        return timers[0].DueAt!.Value;
    }

    public async Task<List<ReferralHistoryRecord>> HistoryAsync(string referralId)
    {
        await using var db = await DbAsync();
        var lines = await db.ReferralHistory.AsNoTracking().Where(h => h.ReferralId == referralId).ToListAsync();
        return lines.OrderBy(h => h.Id).ToList();
    }

    public async Task<List<JournalEntryRecord>> JournalAsync(string referralId)
    {
        var instanceId = (await ReferralAsync(referralId)).WorkflowInstanceId;
        await using var db = await DbAsync();
        var lines = await db.JournalEntries.AsNoTracking().Where(j => j.InstanceId == instanceId).ToListAsync();
        return lines.OrderBy(j => j.Id).ToList();
    }

    public async Task<string> InstanceStatusAsync(string referralId)
    {
        var instanceId = (await ReferralAsync(referralId)).WorkflowInstanceId;
        await using var db = await DbAsync();
        return await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.Status).SingleAsync();
    }

    /// <summary>A workflow variable of the referral's pathway instance, as text (dates are YYYY-MM-DD).</summary>
    public async Task<string?> VariableAsync(string referralId, string name)
    {
        var instanceId = (await ReferralAsync(referralId)).WorkflowInstanceId;
        await using var db = await DbAsync();
        var json = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.StateJson).SingleAsync();
        var value = StateSerializer.Deserialize(json).Variables.GetValueOrDefault(name);
        return value?.ToString();
    }

    /// <summary>Sends an event the service must refuse, and returns the refusal.</summary>
    public async Task<ReferralEventResult> SendRefusedAsync(string referralId, string eventName, JsonObject? payload = null)
    {
        var result = await Referrals.SendEventAsync(referralId, eventName, payload ?? [], "tester");
        Assert.IsNotType<ReferralEventResult.Applied>(result);
        return result;
    }

    public async Task<string> UserIdAsync(string email) =>
        (await App.Service<UserManager<ApplicationUser>>().FindByEmailAsync(email))?.Id ?? throw new InvalidOperationException("No user " + email);

    /// <summary>The London date a task is due (dates mean the end of that day).</summary>
    public static DateOnly DueDate(WorkflowTaskRecord task) => LondonTime.ToLondonDate(task.DueAt ?? throw new InvalidOperationException($"'{task.Title}' has no due date."));

    public static DateTimeOffset London(DateOnly date, int hour, int minute = 0) => LondonTime.AtLondonTime(date, new TimeOnly(hour, minute));

    /// <summary>A closed referral: the reason, the stage, no bookmark left, no open task, the instance finished.</summary>
    public async Task AssertClosedAsync(string referralId, string reason)
    {
        var referral = await ReferralAsync(referralId);
        Assert.Equal(reason, referral.ClosureReason);
        Assert.Equal("Closed", referral.Stage);
        Assert.NotNull(referral.ClosedAt);
        Assert.Null(referral.OpenPrisonNumber);
        Assert.Empty(await BookmarksAsync(referralId));
        Assert.Empty(await OpenTasksAsync(referralId));
        Assert.Equal("Finished", await InstanceStatusAsync(referralId));
        Assert.Contains(await HistoryAsync(referralId), h => h.Kind == "closed" && h.Summary == $"Closed: {reason}");
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await App.DisposeAsync();
    }
}
