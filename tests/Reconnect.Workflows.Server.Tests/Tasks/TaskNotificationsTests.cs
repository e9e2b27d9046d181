using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Tests.Referrals;

namespace Reconnect.Workflows.Server.Tests.Tasks;

/// <summary>The live inbox's notifier: told of a referral's first task only after the step that made it has committed.</summary>
public class TaskNotificationsTests
{
    [Fact]
    public async Task ReferralTask_IsAnnouncedAfterItsCommit_ToItsSiteOnly()
    {
        await using var app = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);
        var contexts = app.Service<IDbContextFactory<ReconnectDbContext>>();
        var seen = new List<(TaskCommitNotice Notice, bool RowVisible)>();
        // Another connection looks for the row while the notice is being delivered: before the commit it would not be there.
        using var subscription = app.Service<TaskNotifications>().Subscribe(tasks =>
        {
            using var db = contexts.CreateDbContext();
            foreach (var task in tasks)
                lock (seen) seen.Add((task, db.Tasks.AsNoTracking().Any(t => t.Id == task.TaskId)));
        });
        var service = app.Service<ReferralService>();

        var created = Assert.IsType<CreateReferralResult.Created>(await service.CreateAsync(ReferralFoundationTests.Request(service.Today, "A7001BC", "LEI"), "tester"));

        var leeds = await app.UserIdAsync(ReconnectApp.NavigatorLeeds);
        var newHall = await app.UserIdAsync(ReconnectApp.NavigatorNewHall);
        (TaskCommitNotice Notice, bool RowVisible) first;
        lock (seen) first = Assert.Single(seen, s => s.Notice.SubjectId == created.ReferralId);
        Assert.True(first.RowVisible, "the notice came before its row was committed");
        Assert.Equal("LEI", first.Notice.Site);
        Assert.Equal(leeds, first.Notice.Assignee);
        await using (var db = await app.DbAsync())
            Assert.Equal("First contact", (await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == first.Notice.TaskId)).Title);

        Assert.True(TaskNotifications.Concerns(new TaskViewer(leeds, TaskViewerKind.Navigator, "LEI"), first.Notice));
        Assert.False(TaskNotifications.Concerns(new TaskViewer(newHall, TaskViewerKind.Navigator, "NHI"), first.Notice));
        Assert.False(TaskNotifications.Concerns(new TaskViewer("manager", TaskViewerKind.Manager, null), first.Notice));
    }

    [Fact]
    public void Concerns_QueuesByRoleAndSite()
    {
        var navigator = new TaskViewer("nav-1", TaskViewerKind.Navigator, "LEI");
        var manager = new TaskViewer("mgr-1", TaskViewerKind.Manager, null);
        Assert.True(TaskNotifications.Concerns(navigator, new("t", "LEI", null, TaskAssigneeRoles.Navigator, "r")));   // the site's queue
        Assert.False(TaskNotifications.Concerns(navigator, new("t", "NHI", null, TaskAssigneeRoles.Navigator, "r")));  // another site's queue
        Assert.False(TaskNotifications.Concerns(navigator, new("t", "LEI", "nav-2", TaskAssigneeRoles.Navigator, "r"))); // a colleague's
        Assert.False(TaskNotifications.Concerns(navigator, new("t", "LEI", null, TaskAssigneeRoles.Manager, "r")));    // the managers'
        Assert.True(TaskNotifications.Concerns(manager, new("t", "LEI", null, TaskAssigneeRoles.Manager, "r")));
        Assert.False(TaskNotifications.Concerns(manager, new("t", "LEI", null, TaskAssigneeRoles.Navigator, "r")));
        Assert.False(TaskNotifications.Concerns(new TaskViewer("adm", TaskViewerKind.Admin, null), new("t", "LEI", null, TaskAssigneeRoles.Manager, "r")));
    }

    [Fact]
    public void Subscribe_DisposeUnsubscribes_AndABrokenHandlerDoesNotStopTheOthers()
    {
        var logger = new WarningCounter();
        var notifications = new TaskNotifications(logger);
        var got = 0;
        var broken = notifications.Subscribe(_ => throw new InvalidOperationException("broken"));
        var counting = notifications.Subscribe(tasks => got += tasks.Count);
        Assert.Equal(2, notifications.SubscriberCount);

        notifications.TasksCommitted([new("t1", "LEI", null, TaskAssigneeRoles.Navigator, null)]);
        Assert.Equal(1, got);
        Assert.Equal(1, logger.Warnings); // the broken handler is logged, not swallowed

        counting.Dispose();
        counting.Dispose();
        broken.Dispose();
        Assert.Equal(0, notifications.SubscriberCount);
        notifications.TasksCommitted([new("t2", "LEI", null, TaskAssigneeRoles.Navigator, null)]);
        Assert.Equal(1, got);
    }

    private sealed class WarningCounter : Microsoft.Extensions.Logging.ILogger<TaskNotifications>
    {
        public int Warnings { get; private set; }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning && exception is not null) Warnings++;
        }
    }
}
