using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Definitions;
using Reconnect.Workflows.Application.Instances;
using Reconnect.Workflows.Application.Migrations;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Tests.Migrations;

/// <summary>Bulk cancel and retry by filter (issue 11): the dry run's count, the job, each instance through InstanceService with its audit row.</summary>
public class BulkOperationsTests
{
    private const string Faulting = """
        { "definitionId": "bulk-faulting", "name": "Bulk faulting", "root": { "id": "flowchart", "type": "Elsa.Flowchart",
          "activities": [ { "id": "start", "type": "Elsa.Start" },
                          { "id": "boom", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "JavaScript", "value": "throw new Error('boom')" } } } ],
          "connections": [ { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "boom", "port": "In" } } ] } }
        """;

    private static async Task<MigrationJobDto> WaitAsync(ApplicationKit kit, MigrationResult result)
    {
        var started = Assert.IsType<MigrationResult.Started>(result);
        await kit.Service<InProcessMigrationJobScheduler>().WaitAsync(started.Job.Id);
        return (await kit.Service<MigrationService>().GetAsync(started.Job.Id))!;
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Cancel_ByDefinitionAndWaitingActivity_CountsThenCancelsEachWithItsAuditRow(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
            waiting.Add(await MigrationServiceTests.InstanceOfAsync(kit, await Infrastructure.Referrals.CreateAsync(kit, prisonNumber: $"A{1000 + i}BC")));
        var (_, other, _) = await MigrationServiceTests.WaitingOnFollowUp7Async(kit, "B2000CD");
        var bulk = kit.Service<BulkOperations>();
        var filter = new BulkFilter(DefinitionId: ReferralService.PathwayDefinitionId, ActivityId: "firstContact");
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        Assert.Equal(3, Assert.IsType<MigrationResult.Counted>(await bulk.CancelAsync(ApplicationKit.Manager, new BulkRequest(filter, DryRun: true))).Count);
        Assert.Equal(1, Assert.IsType<MigrationResult.Counted>(await bulk.CancelAsync(ApplicationKit.Manager, new BulkRequest(filter, DryRun: true, InstanceIds: [waiting[0], other]))).Count);
        Assert.IsType<MigrationResult.Forbidden>(await bulk.CancelAsync(ApplicationKit.Scheduler, new BulkRequest(filter, DryRun: true)));
        Assert.Contains("filter.status", Assert.IsType<MigrationResult.Invalid>(await bulk.CancelAsync(ApplicationKit.Manager, new BulkRequest(new BulkFilter(Status: "Asleep")))).Errors.Keys);

        var job = await WaitAsync(kit, await bulk.CancelAsync(ApplicationKit.Manager, new BulkRequest(filter)));

        Assert.Equal((MigrationJobKinds.Cancel, MigrationJobStatus.Completed, 3, 3, 0), (job.Kind, job.Status, job.Total, job.Migrated, job.Failed));
        var instances = kit.Service<InstanceService>();
        foreach (var id in waiting) Assert.Equal("Cancelled", (await instances.GetAsync(id))!.Status);
        Assert.Equal("Suspended", (await instances.GetAsync(other))!.Status);
        var audit = await Infrastructure.Referrals.AuditSinceAsync(kit, before);
        Assert.Single(audit, a => a.StartsWith("Manager bulk-cancel WorkflowInstance", StringComparison.Ordinal));
        foreach (var id in waiting) Assert.Contains($"Manager cancel WorkflowInstance {id}", audit);
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Tasks.CountAsync(t => waiting.Contains(t.InstanceId) && (t.Status == "Open" || t.Status == "Claimed")));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Retry_FaultedInstances_EachRetriedOnceAndAudited(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        using (var scope = kit.Services.CreateScope())
        {
            var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
            Assert.True((await definitions.ImportAsync(ApplicationKit.Manager, Faulting)).Succeeded);
            Assert.True((await definitions.PublishAsync(ApplicationKit.Manager, "bulk-faulting")).Succeeded);
        }
        var runtime = kit.Service<WorkflowRuntime>();
        var faulted = new List<string>();
        for (var i = 0; i < 2; i++) faulted.Add((await runtime.StartAsync("bulk-faulting")).State!.Id);
        var bulk = kit.Service<BulkOperations>();
        var filter = new BulkFilter(DefinitionId: "bulk-faulting");
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        Assert.Equal(2, Assert.IsType<MigrationResult.Counted>(await bulk.RetryAsync(ApplicationKit.Admin, new BulkRequest(filter, DryRun: true))).Count);
        var job = await WaitAsync(kit, await bulk.RetryAsync(ApplicationKit.Admin, new BulkRequest(filter)));

        Assert.Equal((MigrationJobKinds.Retry, 2, 2, 0), (job.Kind, job.Total, job.Migrated, job.Failed));
        var audit = await Infrastructure.Referrals.AuditSinceAsync(kit, before);
        foreach (var id in faulted)
        {
            Assert.Single(audit, a => a == $"Admin retry WorkflowInstance {id}");
            // Retried once: the script faults again, so a second incident and the instance faulted again.
            var detail = (await kit.Service<InstanceService>().GetAsync(id))!;
            Assert.Equal(("Faulted", 2), (detail.Status, detail.Incidents.Count));
        }
    }
}
