using Bunit;
using Reconnect.Workflows.Application.Instances;
using Reconnect.Workflows.Application.Workflows;
using Reconnect.Workflows.Application.Migrations;
using Reconnect.Workflows.Web.Components.Instances;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The instance list's bulk cancel and retry (issue 11): selection, the count to confirm, the job's progress.</summary>
public class BulkOperationsUiTests : MudTestContext
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 8, 30, 0, TimeSpan.Zero);

    private static InstanceSummary Summary(string id, string status = "Suspended") => new(id, "hello", 1, "ref-" + id, status, At, At, null);

    private sealed class FakeBulk
    {
        public List<(string Kind, BulkRequest Request)> Calls { get; } = [];
        public int Loads { get; set; }
        public int Polls { get; set; }

        public Task<MigrationResult> Run(string kind, BulkRequest request)
        {
            Calls.Add((kind, request));
            var count = request.InstanceIds?.Count ?? 7;
            return Task.FromResult<MigrationResult>(request.DryRun
                ? new MigrationResult.Counted(count)
                : new MigrationResult.Started(Job("job-1", kind, MigrationJobStatus.Running, count, 0)));
        }

        public Task<MigrationJobDto?> Status(string id)
        {
            Polls++;
            var (kind, request) = Calls[^1];
            var count = request.InstanceIds?.Count ?? 7;
            return Task.FromResult<MigrationJobDto?>(Job(id, kind, MigrationJobStatus.Completed, count, count));
        }
    }

    private static MigrationJobDto Job(string id, string kind, string status, int total, int done) =>
        new(id, kind, status, total, done, 0, [], null, null, null, At, status == MigrationJobStatus.Running ? null : At);

    private IRenderedComponent<InstanceListView> RenderList(FakeBulk bulk, bool canManage = true) =>
        Render<InstanceListView>(p => p
            .Add(l => l.Load, f =>
            {
                bulk.Loads++;
                return Task.FromResult(new InstancePage([Summary("i-1"), Summary("i-2", "Faulted")], f.Page, 50, HasMore: false));
            })
            .Add(l => l.CanManage, canManage)
            .Add(l => l.Bulk, bulk.Run)
            .Add(l => l.JobStatus, bulk.Status)
            .Add(l => l.PollInterval, TimeSpan.FromMilliseconds(1)));

    [Fact]
    public void Bulk_SelectedRowsCancelled_ConfirmsWithTheCountThenShowsProgressAndReloads()
    {
        var bulk = new FakeBulk();
        var cut = RenderList(bulk);

        cut.Find("[data-select='i-1']").Change(true);
        Assert.Contains("1 selected", cut.Find("#bulk-selected").TextContent);
        cut.Find("#bulk-cancel-selected").Click();

        var (kind, dry) = Assert.Single(bulk.Calls);
        Assert.Equal((MigrationJobKinds.Cancel, true), (kind, dry.DryRun));
        Assert.Equal(["i-1"], dry.InstanceIds!);
        Assert.Contains("Cancel 1 instance?", cut.Find("#bulk-confirm-text").TextContent);

        cut.Find("#bulk-confirm-yes").Click();

        cut.WaitForAssertion(() => Assert.Contains("Cancelled 1 of 1.", cut.Find("#bulk-status").TextContent));
        Assert.False(bulk.Calls[^1].Request.DryRun);
        Assert.True(bulk.Polls >= 1);
        Assert.Equal(2, bulk.Loads);
        Assert.Contains("0 selected", cut.Find("#bulk-selected").TextContent);
    }

    [Fact]
    public void Bulk_AllMatching_SendsTheFiltersWithoutIds()
    {
        var bulk = new FakeBulk();
        var cut = RenderList(bulk);

        cut.Find("#bulk-retry-all").Click();

        var (kind, dry) = Assert.Single(bulk.Calls);
        Assert.Equal(MigrationJobKinds.Retry, kind);
        Assert.Null(dry.InstanceIds);
        Assert.NotNull(dry.Filter);
        Assert.Contains("Retry 7 instances matching these filters?", cut.Find("#bulk-confirm-text").TextContent);
        cut.Find("#bulk-confirm-no").Click();
        Assert.Empty(cut.FindAll("#bulk-confirm"));
    }

    [Fact]
    public void Bulk_SelectPage_SelectsEveryRow()
    {
        var cut = RenderList(new FakeBulk());

        cut.Find("#bulk-select-page").Change(true);

        Assert.Contains("2 selected", cut.Find("#bulk-selected").TextContent);
    }

    [Fact]
    public void Bulk_WithoutManageRole_NoSelectionNorButtons()
    {
        var cut = RenderList(new FakeBulk(), canManage: false);

        Assert.Empty(cut.FindAll("#bulk-bar"));
        Assert.Empty(cut.FindAll("[data-select]"));
    }
}
