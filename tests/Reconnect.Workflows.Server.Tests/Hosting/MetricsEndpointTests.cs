using System.Net;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Scheduling.SchedulingKit;

namespace Reconnect.Workflows.Server.Tests.Hosting;

/// <summary><c>/metrics</c> (Prometheus text): off unless <c>Metrics:Prometheus</c>; then Admin only (or an allowed address).</summary>
public class MetricsEndpointTests
{
    private const string TaskWorkflow = """
        {
          "definitionId": "one-task",
          "name": "one-task",
          "root": {
            "type": "Elsa.Flowchart", "id": "flow",
            "activities": [
              { "id": "start", "type": "Elsa.Start" },
              { "id": "task", "type": "Elsa.RunTask", "taskName": { "typeName": "String", "expression": { "type": "Literal", "value": "Call back" } } }
            ],
            "connections": [ { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "task", "port": "In" } } ]
          }
        }
        """;

    [Fact]
    public async Task Metrics_AfterWorkflowsRan_HasTheInstrumentsNames_ForAdminOnly()
    {
        await using var app = await ReconnectApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Metrics:Prometheus"] = "true",
            ["Scheduling:TimerDispatchIntervalSeconds"] = "3600",
        });
        await PublishAsync(app, DelayWorkflow("delay-one-second", "PT1S"));
        await PublishAsync(app, TaskWorkflow);
        var runtime = app.Service<WorkflowRuntime>();
        var timer = await runtime.StartAsync("delay-one-second");
        Assert.True((await runtime.StartAsync("one-task")).Succeeded);
        await EventuallyAsync(async () => await JournalCountAsync(app, timer.State!.Id, TraceKinds.TimerFired) == 1, "the timer fired");

        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        var navigator = await app.LoginAsync(ReconnectApp.Manager);
        Assert.Equal(HttpStatusCode.Forbidden, (await navigator.GetAsync("/metrics")).StatusCode);

        var admin = await app.LoginAsync(ReconnectApp.Admin);
        var text = "";
        string[] names =
        [
            "reconnect_workflow_steps", "reconnect_workflow_step_duration", "reconnect_commit_batch_size", "reconnect_timers_lateness",
            "reconnect_tasks_open", "reconnect_tasks_overdue", "dotnet_",
        ];
        await EventuallyAsync(async () =>
        {
            var response = await admin.GetAsync("/metrics");
            text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && names.All(text.Contains);
        }, "every instrument on /metrics", 20);
        Assert.Contains("outcome=\"resumed\"", text);
        Assert.DoesNotContain("Call back", text); // ids and counts only, no task titles
    }

    [Fact]
    public async Task Metrics_OffByDefault()
    {
        await using var app = await ReconnectApp.StartAsync();
        var admin = await app.LoginAsync(ReconnectApp.Admin);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/metrics")).StatusCode);
    }
}
