using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Definitions;
using Reconnect.Workflows.Application.Migrations;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Tests.Migrations;

/// <summary>Migrating running referrals to a new version of the pathway (issue 11), on the real pathway.</summary>
public class MigrationServiceTests
{
    private const string Pathway = ReferralService.PathwayDefinitionId;
    private const string FollowUp2 = "Follow-up check (release + 2 days)";

    // ------------------------------------------------------------------ set-up

    /// <summary>Saves and publishes a changed copy of the latest version; returns its number.</summary>
    internal static async Task<int> PublishChangedAsync(ApplicationKit kit, Action<WorkflowDefinition> change, Func<string, string>? text = null)
    {
        using var scope = kit.Services.CreateScope();
        var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var latest = (await definitions.LatestAsync(Pathway))!;
        var json = WorkflowJson.Serialize(latest);
        var copy = WorkflowJson.Parse(text is null ? json : text(json));
        change(copy);
        var saved = await definitions.SaveDraftAsync(ApplicationKit.Manager, Pathway, copy);
        Assert.True(saved.Succeeded, saved.Error + string.Join("; ", saved.Problems.Select(p => p.Message)));
        var published = await definitions.PublishAsync(ApplicationKit.Manager, Pathway);
        Assert.True(published.Succeeded, published.Error);
        return published.Definition!.Version;
    }

    private static Action<WorkflowDefinition> FollowUpDays(int days) =>
        d => d.Variables.Single(v => v.Name == "FollowUp2Days").Value = JsonValue.Create(days);

    /// <summary>A referral released five days ago, its first contact and 2-day follow-up done: it waits on the 7-day follow-up timer.</summary>
    internal static async Task<(string ReferralId, string InstanceId, DateOnly Released)> WaitingOnFollowUp7Async(ApplicationKit kit, string prisonNumber = "A1234BC")
    {
        var referral = await Infrastructure.Referrals.CreateAsync(kit, prisonNumber: prisonNumber, releaseInDays: -5);
        var work = kit.Service<TaskWork>();
        Assert.IsType<TaskChange.Done>(await work.CompleteAsync(ApplicationKit.Navigator(), await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact"), "Engaged", null));
        Assert.IsType<TaskChange.Done>(await work.CompleteAsync(ApplicationKit.Navigator(), await Infrastructure.Referrals.OpenTaskAsync(kit, referral, FollowUp2), "Engaged", null));
        return (referral, await InstanceOfAsync(kit, referral), kit.Today.AddDays(-5));
    }

    internal static async Task<string> InstanceOfAsync(ApplicationKit kit, string referral)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return (await db.Referrals.Where(r => r.Id == referral).Select(r => r.WorkflowInstanceId).SingleAsync())!;
    }

    private static async Task<DateTimeOffset?> TimerDueAsync(ApplicationKit kit, string instanceId, string activityId)
    {
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.ActivityId == activityId).Select(b => b.DueAt).SingleAsync();
    }

    internal static async Task<MigrationJobDto> RunAsync(ApplicationKit kit, MigrationRequest request)
    {
        var started = Assert.IsType<MigrationResult.Started>(await kit.Service<MigrationService>().SubmitAsync(ApplicationKit.Manager, Pathway, request));
        await kit.Service<InProcessMigrationJobScheduler>().WaitAsync(started.Job.Id);
        return (await kit.Service<MigrationService>().GetAsync(started.Job.Id))!;
    }

    private static DateTimeOffset London(DateOnly date, int hour) => LondonTime.AtLondonTime(date, new TimeOnly(hour, 0));

    // ------------------------------------------------------------------ tests

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_FollowUpDefaultChangedAndNew_TimerDueAtReleasePlusTenJournalAndAudit(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (_, instanceId, released) = await WaitingOnFollowUp7Async(kit);
        Assert.Equal(London(released.AddDays(7), 9), await TimerDueAsync(kit, instanceId, "followUp7Timer"));
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var dry = Assert.IsType<MigrationResult.DryRun>(await kit.Service<MigrationService>().SubmitAsync(ApplicationKit.Manager, Pathway,
            new MigrationRequest(1, v2, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" }, DryRun: true))).Answer;
        Assert.Equal(1, dry.Instances);
        Assert.True(dry.CanMigrate);
        Assert.Contains(dry.WaitingAt, w => w.ActivityId == "followUp7Timer" && w.Count == 1 && w.MappedTo == "followUp7Timer");
        var change = Assert.Single(dry.VariableChanges);
        Assert.Equal(("FollowUp2Days", 7L, 10L, "new"), (change.Name, change.From!.GetValue<long>(), change.To!.GetValue<long>(), change.Default));

        var job = await RunAsync(kit, new MigrationRequest(1, v2, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" }));

        Assert.Equal((MigrationJobStatus.Completed, 1, 1, 0), (job.Status, job.Total, job.Migrated, job.Failed));
        Assert.Equal(London(released.AddDays(10), 9), await TimerDueAsync(kit, instanceId, "followUp7Timer"));
        var detail = (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!;
        Assert.Equal(v2, detail.DefinitionVersion);
        Assert.Equal(10, detail.Variables["FollowUp2Days"]!.GetValue<int>());
        var migrated = Assert.Single(detail.Journal, j => j.Kind == "migrated");
        Assert.Equal((1, v2), (migrated.Detail!["from"]!.GetValue<int>(), migrated.Detail!["to"]!.GetValue<int>()));
        var audit = await Infrastructure.Referrals.AuditSinceAsync(kit, before);
        Assert.Contains($"Manager migrate WorkflowDefinition {Pathway}", audit);
        Assert.Contains($"Manager migrate WorkflowInstance {instanceId}", audit);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_DefaultChangedButKept_TimerUnchanged(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (_, instanceId, released) = await WaitingOnFollowUp7Async(kit);
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));

        var job = await RunAsync(kit, new MigrationRequest(1, v2));

        Assert.Equal(1, job.Migrated);
        Assert.Equal(London(released.AddDays(7), 9), await TimerDueAsync(kit, instanceId, "followUp7Timer"));
        Assert.Equal(7, (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!.Variables["FollowUp2Days"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_WaitingActivityRenamed_UnmappedRefusedThenMigratedByMap(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (_, instanceId, released) = await WaitingOnFollowUp7Async(kit);
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10), json => json.Replace("followUp7Timer", "followUpWeekTimer", StringComparison.Ordinal));
        var service = kit.Service<MigrationService>();

        var dry = Assert.IsType<MigrationResult.DryRun>(await service.SubmitAsync(ApplicationKit.Manager, Pathway, new MigrationRequest(1, v2, DryRun: true))).Answer;
        Assert.False(dry.CanMigrate);
        Assert.Equal(["followUp7Timer"], dry.Unmapped);
        Assert.Contains(dry.TargetActivities, a => a.Id == "followUpWeekTimer");
        var refused = Assert.IsType<MigrationResult.Refused>(await service.SubmitAsync(ApplicationKit.Manager, Pathway, new MigrationRequest(1, v2)));
        Assert.Contains("followUp7Timer", refused.Message);
        Assert.True(refused.Errors.ContainsKey("activityMap.followUp7Timer"));
        Assert.Equal(1, (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!.DefinitionVersion);

        var job = await RunAsync(kit, new MigrationRequest(1, v2, ActivityMap: new Dictionary<string, string> { ["followUp7Timer"] = "followUpWeekTimer" },
            Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" }));

        Assert.Equal(1, job.Migrated);
        Assert.Equal(London(released.AddDays(10), 9), await TimerDueAsync(kit, instanceId, "followUpWeekTimer"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_BadRequest_InvalidNamingFieldsAndUnknownVersionNotFound(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var service = kit.Service<MigrationService>();

        var invalid = Assert.IsType<MigrationResult.Invalid>(await service.SubmitAsync(ApplicationKit.Manager, Pathway,
            new MigrationRequest(null, 1, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "maybe" })));
        Assert.Contains("fromVersion", invalid.Errors.Keys);
        Assert.Contains("variables.FollowUp2Days", invalid.Errors.Keys);
        Assert.IsType<MigrationResult.NotFound>(await service.SubmitAsync(ApplicationKit.Manager, Pathway, new MigrationRequest(1, 9)));
        Assert.IsType<MigrationResult.NotFound>(await service.SubmitAsync(ApplicationKit.Manager, "no-such-workflow", new MigrationRequest(1, 2)));
        Assert.IsType<MigrationResult.Forbidden>(await service.SubmitAsync(ApplicationKit.Navigator(), Pathway, new MigrationRequest(1, 2, DryRun: true)));
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));
        var badMap = Assert.IsType<MigrationResult.Invalid>(await service.SubmitAsync(ApplicationKit.Manager, Pathway,
            new MigrationRequest(1, v2, ActivityMap: new Dictionary<string, string> { ["followUp7Timer"] = "nowhere" }, DryRun: true)));
        Assert.Contains("activityMap.followUp7Timer", badMap.Errors.Keys);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_OpenTask_KeepsItsIdAndAssigneeTakesNewTitleAndNothingRunsAgain(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var referral = await Infrastructure.Referrals.CreateAsync(kit);
        var instanceId = await InstanceOfAsync(kit, referral);
        var taskId = await Infrastructure.Referrals.OpenTaskAsync(kit, referral, "First contact");
        string? assignee;
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
            assignee = await db.Tasks.Where(t => t.Id == taskId).Select(t => t.Assignee).SingleAsync();
        var v2 = await PublishChangedAsync(kit, d => d.AllActivities.Single(a => a.Id == "firstContact").SetInput("title", "String", Expression.OfLiteral("First contact call")));

        var job = await RunAsync(kit, new MigrationRequest(1, v2));

        Assert.Equal(1, job.Migrated);
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
        {
            var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == taskId);
            Assert.Equal(("First contact call", assignee, "Open"), (task.Title, task.Assignee, task.Status));
        }
        // Completed on v2: the pathway moves on, and what ran before (the referral's first steps) does not run again.
        Assert.IsType<TaskChange.Done>(await kit.Service<TaskWork>().CompleteAsync(ApplicationKit.Navigator(), taskId, "Engaged", null));
        var detail = (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!;
        var executed = detail.Journal.Where(j => j.Kind == "activity-executed").GroupBy(j => j.ActivityId).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(executed);
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
            Assert.Equal(1, await db.Tasks.CountAsync(t => t.InstanceId == instanceId && t.ActivityId == "firstContact"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_TimerFiresAfterMigration_EarlierTasksNotCreatedAgain(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (referral, instanceId, _) = await WaitingOnFollowUp7Async(kit);
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));
        await RunAsync(kit, new MigrationRequest(1, v2, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" }));
        string bookmark;
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
            bookmark = await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.ActivityId == "followUp7Timer").Select(b => b.Id).SingleAsync();

        var fired = await kit.Service<WorkflowRuntime>().ResumeAsync(instanceId, bookmark);

        Assert.True(fired.Succeeded, fired.Message);
        await using (var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
        {
            var titles = await db.Tasks.Where(t => t.InstanceId == instanceId).Select(t => t.Title).ToListAsync();
            Assert.Single(titles, t => t == "First contact");
            Assert.Single(titles, t => t == FollowUp2);
            Assert.Single(titles, t => t == "Follow-up check (release + 7 days)");
        }
        Assert.Equal(referral, await kit.Service<Instances.InstanceService>().ReferralOfAsync((await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Migrate_InstanceStepsDuringMigration_ReloadedAndBothChangesKept(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (_, instanceId, released) = await WaitingOnFollowUp7Async(kit);
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));
        var service = kit.Service<MigrationService>();
        var stepped = 0;
        service.BeforeCommit = async id =>
        {
            // Another step commits between the migration's load and its commit: the migration must lose and retry.
            if (Interlocked.Increment(ref stepped) == 1)
                Assert.True((await kit.Service<WorkflowRuntime>().SetVariablesAsync(id, new JsonObject { ["FollowUp3Days"] = 30 })).Succeeded);
        };
        try
        {
            var job = await RunAsync(kit, new MigrationRequest(1, v2, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" }));
            Assert.Equal((1, 0), (job.Migrated, job.Failed));
        }
        finally
        {
            service.BeforeCommit = null;
        }

        Assert.Equal(2, stepped);
        var detail = (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!;
        Assert.Equal(v2, detail.DefinitionVersion);
        Assert.Equal(30, detail.Variables["FollowUp3Days"]!.GetValue<int>());
        Assert.Equal(10, detail.Variables["FollowUp2Days"]!.GetValue<int>());
        Assert.Single(detail.Journal, j => j.Kind == "migrated");
        Assert.Equal(London(released.AddDays(10), 9), await TimerDueAsync(kit, instanceId, "followUp7Timer"));
        Assert.Single(detail.Bookmarks, b => b.ActivityId == "followUp7Timer");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Submit_SecondTime_NoOp(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var (_, instanceId, _) = await WaitingOnFollowUp7Async(kit);
        var v2 = await PublishChangedAsync(kit, FollowUpDays(10));
        var request = new MigrationRequest(1, v2, Variables: new Dictionary<string, string> { ["FollowUp2Days"] = "new" });
        await RunAsync(kit, request);
        var after = (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!;

        var again = await RunAsync(kit, request);
        var named = await RunAsync(kit, request with { InstanceIds = [instanceId] });

        Assert.Equal((MigrationJobStatus.Completed, 0, 0), (again.Status, again.Total, again.Migrated));
        Assert.Equal(0, named.Total);
        var now = (await kit.Service<Instances.InstanceService>().GetAsync(instanceId))!;
        Assert.Equal(after.UpdatedAt, now.UpdatedAt);
        Assert.Single(now.Journal, j => j.Kind == "migrated");
    }
}
