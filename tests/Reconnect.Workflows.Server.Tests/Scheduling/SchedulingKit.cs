using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Tests.Scheduling;

/// <summary>Workflows, publishing and look-ups shared by the scheduling tests. Definitions go in through the service, as the definitions API will.</summary>
internal static class SchedulingKit
{
    public const string DailyCheck = "daily-follow-up-check";

    public static string CronWorkflow(string definitionId, string cron, string text = "checked") => $$"""
        {
          "definitionId": "{{definitionId}}",
          "name": "{{definitionId}}",
          "root": {
            "type": "Elsa.Flowchart", "id": "flow",
            "activities": [
              { "id": "cron", "type": "Elsa.Cron", "cronExpression": { "typeName": "String", "expression": { "type": "Literal", "value": "{{cron}}" } } },
              { "id": "log", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "{{text}}" } } }
            ],
            "connections": [ { "source": { "activity": "cron", "port": "Done" }, "target": { "activity": "log", "port": "In" } } ]
          }
        }
        """;

    public static string PlainWorkflow(string definitionId) => $$"""
        {
          "definitionId": "{{definitionId}}",
          "name": "{{definitionId}}",
          "root": {
            "type": "Elsa.Flowchart", "id": "flow",
            "activities": [
              { "id": "start", "type": "Elsa.Start" },
              { "id": "log", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "no cron" } } }
            ],
            "connections": [ { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "log", "port": "In" } } ]
          }
        }
        """;

    public static string DelayWorkflow(string definitionId, string delay) => $$"""
        {
          "definitionId": "{{definitionId}}",
          "name": "{{definitionId}}",
          "root": {
            "type": "Elsa.Flowchart", "id": "flow",
            "activities": [
              { "id": "start", "type": "Elsa.Start" },
              { "id": "wait", "type": "Elsa.Delay", "timeSpan": { "typeName": "TimeSpan", "expression": { "type": "Literal", "value": "{{delay}}" } } },
              { "id": "log", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "woke up" } } }
            ],
            "connections": [
              { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
              { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "log", "port": "In" } }
            ]
          }
        }
        """;

    /// <summary>Saves (creating or as a new draft) and publishes, then tells the listeners, as the definitions API does.</summary>
    public static async Task PublishAsync(ReconnectApp app, string json)
    {
        var definitions = app.Service<WorkflowDefinitionService>();
        var definition = WorkflowJson.Parse(json);
        var store = app.Service<IWorkflowDefinitionStore>();
        var saved = await store.FindLatestAsync(definition.DefinitionId) is null
            ? await definitions.CreateAsync(definition)
            : await definitions.SaveDraftAsync(definition.DefinitionId, definition);
        Assert.True(saved.Succeeded, saved.Message + " " + string.Join("; ", saved.Validation.Errors));
        var published = await definitions.PublishAsync(definition.DefinitionId);
        Assert.True(published.Succeeded, published.Message);
        await NotifyAsync(app, definition.DefinitionId);
    }

    public static async Task RetractAsync(ReconnectApp app, string definitionId, bool notify = true)
    {
        var result = await app.Service<WorkflowDefinitionService>().RetractAsync(definitionId);
        Assert.True(result.Succeeded, result.Message);
        if (notify) await NotifyAsync(app, definitionId);
    }

    public static async Task NotifyAsync(ReconnectApp app, string definitionId)
    {
        foreach (var listener in app.Services.GetServices<IDefinitionChangeListener>()) await listener.OnDefinitionChangedAsync(definitionId);
    }

    /// <summary>Rows in Quartz's own trigger table for a job: the truth under the API.</summary>
    public static Task<long> QuartzTriggerCountAsync(ReconnectApp app, string jobName) =>
        ScalarAsync(app, "SELECT COUNT(*) FROM qrtz_triggers WHERE job_name = @name", jobName);

    public static Task<long> QuartzJobCountAsync(ReconnectApp app, string jobName) =>
        ScalarAsync(app, "SELECT COUNT(*) FROM qrtz_job_details WHERE job_name = @name", jobName);

    private static async Task<long> ScalarAsync(ReconnectApp app, string sql, string name)
    {
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        DbConnection connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@name";
        parameter.Value = name;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<int> InstanceCountAsync(ReconnectApp app, string definitionId)
    {
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.WorkflowInstances.CountAsync(i => i.DefinitionId == definitionId);
    }

    public static async Task<int> JournalCountAsync(ReconnectApp app, string instanceId, string kind)
    {
        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        return await db.JournalEntries.CountAsync(j => j.InstanceId == instanceId && j.Kind == kind);
    }

    public static async Task<JsonArray> SchedulesAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonArray>("/api/schedules"))!;

    public static async Task<JsonObject?> ScheduleAsync(HttpClient client, string name) =>
        (await SchedulesAsync(client)).OfType<JsonObject>().FirstOrDefault(s => s["name"]!.GetValue<string>() == name);

    public static async Task<JsonArray> RunsAsync(HttpClient client, string name) =>
        (await client.GetFromJsonAsync<JsonArray>($"/api/schedules/{name}/runs"))!;

    /// <summary>Polls until <paramref name="condition"/> holds (the scheduler runs jobs on its own threads).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(200);
        }
        Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
    }

    public static DateTimeOffset Instant(JsonNode? node) =>
        DateTimeOffset.Parse(node!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
}
