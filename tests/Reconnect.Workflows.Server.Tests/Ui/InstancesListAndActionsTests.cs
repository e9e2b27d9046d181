using Reconnect.Workflows.Application.Instances;
using Reconnect.Workflows.Application.Workflows;
using System.Text.Json.Nodes;
using Bunit;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Server.Api;
using Reconnect.Workflows.Web.Components.Instances;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The instance list's filters and paging, and the viewer's Retry/Cancel buttons by status and role.</summary>
public class InstancesListAndActionsTests : MudTestContext
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 8, 30, 0, TimeSpan.Zero);

    private static InstanceSummary Summary(string id, string status = "Suspended", string definitionId = "reconnect-referral-pathway") =>
        new(id, definitionId, 3, "ref-" + id, status, At, At.AddMinutes(5), null);

    private static readonly DefinitionOption[] Definitions = [new("reconnect-referral-pathway", "Reconnect referral pathway"), new("hello", "Hello world")];

    private IRenderedComponent<InstanceListView> RenderList(List<InstanceFilter> calls, Func<InstanceFilter, InstancePage>? answer = null, string? initialStatus = null) =>
        Render<InstanceListView>(p => p
            .Add(l => l.Definitions, Definitions)
            .Add(l => l.InitialStatus, initialStatus)
            .Add(l => l.Load, f =>
            {
                calls.Add(f);
                return Task.FromResult(answer?.Invoke(f) ?? new InstancePage([Summary("i-1"), Summary("i-2", "Faulted")], f.Page, 50, HasMore: f.Page == 1));
            }));

    [Fact]
    public void List_ShowsRowsWithLinks_StatusInWords_AndLondonTimes()
    {
        var calls = new List<InstanceFilter>();
        var cut = RenderList(calls);

        Assert.Equal(new InstanceFilter(null, null, null, 1), Assert.Single(calls));
        var rows = cut.FindAll("#instances-table tbody tr");
        Assert.Equal(["i-1", "i-2"], rows.Select(r => r.GetAttribute("data-instance-id")));
        Assert.Equal("/instances/i-1", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Reconnect referral pathway v3", rows[0].TextContent);
        Assert.Contains("Waiting", rows[0].TextContent);
        Assert.Contains("Faulted", rows[1].TextContent);
        Assert.Contains("2026-06-01 09:30", rows[0].TextContent); // 08:30Z is 09:30 in London in June
    }

    [Fact]
    public async Task List_FiltersByStatusAndWorkflow_FromPageOne()
    {
        var calls = new List<InstanceFilter>();
        var cut = RenderList(calls);
        cut.Find("#instances-next").Click();
        Assert.Equal(2, calls[^1].Page);

        var selects = cut.FindComponents<MudBlazor.MudSelect<string>>();
        await cut.InvokeAsync(() => selects[0].Instance.ValueChanged.InvokeAsync("Faulted"));
        Assert.Equal(new InstanceFilter(WorkflowStatus.Faulted, null, null, 1), calls[^1]);
        await cut.InvokeAsync(() => selects[1].Instance.ValueChanged.InvokeAsync("hello"));
        Assert.Equal(new InstanceFilter(WorkflowStatus.Faulted, "hello", null, 1), calls[^1]);
        var correlation = cut.FindComponent<MudBlazor.MudTextField<string>>();
        await cut.InvokeAsync(() => correlation.Instance.ValueChanged.InvokeAsync("  ref-42 "));
        Assert.Equal(new InstanceFilter(WorkflowStatus.Faulted, "hello", "ref-42", 1), calls[^1]);
        await cut.InvokeAsync(() => selects[0].Instance.ValueChanged.InvokeAsync(null));
        Assert.Equal(new InstanceFilter(null, "hello", "ref-42", 1), calls[^1]);
    }

    [Fact]
    public void List_Paging_NextOnlyWhenThereIsMore()
    {
        var calls = new List<InstanceFilter>();
        var cut = RenderList(calls);
        Assert.True(cut.Find("#instances-previous").HasAttribute("disabled"));
        Assert.False(cut.Find("#instances-next").HasAttribute("disabled"));
        cut.Find("#instances-next").Click();
        Assert.Equal(2, calls[^1].Page);
        Assert.Contains("Page 2", cut.Find("#instances-page").TextContent);
        Assert.True(cut.Find("#instances-next").HasAttribute("disabled"));
        cut.Find("#instances-previous").Click();
        Assert.Equal(1, calls[^1].Page);
    }

    [Fact]
    public void List_EmptyAndErrorStates()
    {
        var empty = RenderList([], f => new InstancePage([], f.Page, 50, false));
        Assert.Contains("There are no workflow instances yet.", empty.Find("#instances-empty").TextContent);

        var filtered = RenderList([], f => new InstancePage([], f.Page, 50, false), initialStatus: "faulted");
        Assert.Contains("No instances match these filters.", filtered.Find("#instances-empty").TextContent);

        var failing = Render<InstanceListView>(p => p.Add(l => l.Load, _ => Task.FromException<InstancePage>(new InvalidOperationException("database down"))));
        Assert.Contains("could not be loaded", failing.Find("#instances-error").TextContent);
        Assert.DoesNotContain("database down", failing.Markup);
    }

    [Theory]
    [InlineData("Faulted", WorkflowStatus.Faulted)]
    [InlineData("SUSPENDED", WorkflowStatus.Suspended)]
    [InlineData("nonsense", null)]
    [InlineData("7", null)]
    public void List_StatusFromTheLink_OnlyWhenItIsOne(string status, WorkflowStatus? expected)
    {
        var calls = new List<InstanceFilter>();
        RenderList(calls, initialStatus: status);
        Assert.Equal(expected, Assert.Single(calls).Status);
    }

    private static InstanceDetail Detail(string status) =>
        new("i-1", "reconnect-referral-pathway", 3, "v-3", "ref-1", status, new Dictionary<string, JsonNode?>(), [], [], [], At, At, null);

    [Theory]
    [InlineData("Suspended", false, true)]
    [InlineData("Running", false, true)]
    [InlineData("Faulted", true, true)]
    [InlineData("Finished", false, false)]
    [InlineData("Cancelled", false, false)]
    public void Actions_ByStatus(string status, bool retry, bool cancel)
    {
        var cut = Render<InstanceActions>(p => p
            .Add(a => a.Status, status).Add(a => a.CanManage, true)
            .Add(a => a.Apply, _ => Task.FromResult<InstanceActionResult>(new InstanceActionResult.Applied(Detail(status)))));

        Assert.Equal(retry, cut.FindAll("#instance-retry").Count == 1);
        Assert.Equal(cancel, cut.FindAll("#instance-cancel").Count == 1);
        Assert.Equal(!retry && !cancel, cut.FindAll("#instance-actions-none").Count == 1);
        foreach (var button in cut.FindAll("button")) Assert.False(string.IsNullOrWhiteSpace(button.TextContent));
    }

    [Theory]
    [InlineData("Faulted")]
    [InlineData("Suspended")]
    public void Actions_WithoutTheManagePolicy_NoButtons(string status)
    {
        var cut = Render<InstanceActions>(p => p
            .Add(a => a.Status, status).Add(a => a.CanManage, false)
            .Add(a => a.Apply, _ => throw new InvalidOperationException("must not be called")));
        Assert.Empty(cut.FindAll("button"));
        Assert.Contains("Managers and admins", cut.Find("#instance-actions-readonly").TextContent);
    }

    [Fact]
    public void Cancel_AsksFirst_ThenShowsTheResult()
    {
        var applied = new List<InstanceAction>();
        var cut = Render<InstanceActions>(p => p
            .Add(a => a.Status, "Suspended").Add(a => a.CanManage, true)
            .Add(a => a.Apply, action => { applied.Add(action); return Task.FromResult<InstanceActionResult>(new InstanceActionResult.Applied(Detail("Cancelled"))); }));

        cut.Find("#instance-cancel").Click();
        Assert.Empty(applied);
        cut.Find("#confirm-cancel-no").Click();
        Assert.Empty(cut.FindAll("#confirm-cancel"));
        Assert.Empty(applied);

        cut.Find("#instance-cancel").Click();
        cut.Find("#confirm-cancel-yes").Click();
        Assert.Equal([InstanceAction.Cancel], applied);
        Assert.Contains("Cancelled; the instance is now cancelled.", cut.Find("#instance-action-message").TextContent);
    }

    [Fact]
    public void Retry_AsksFirst_AndARefusalIsShown()
    {
        var applied = new List<InstanceAction>();
        var cut = Render<InstanceActions>(p => p
            .Add(a => a.Status, "Faulted").Add(a => a.CanManage, true)
            .Add(a => a.Apply, action =>
            {
                applied.Add(action);
                return Task.FromResult<InstanceActionResult>(new InstanceActionResult.NotApplicable("Cannot retry instance 'i-1': Only a faulted instance can be retried."));
            }));

        cut.Find("#instance-retry").Click();
        Assert.Empty(applied);
        cut.Find("#confirm-retry-yes").Click();
        Assert.Equal([InstanceAction.Retry], applied);
        Assert.Contains("Only a faulted instance can be retried.", cut.Find("#instance-action-message").TextContent);
    }
}
