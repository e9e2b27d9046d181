using System.Data.Common;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Npgsql;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Reliability;

/// <summary>
/// What the reliability tests share: their workflows (deployed from a folder by every node), raw SQL against the
/// database the nodes use (counts come from the database, never from what the HTTP answers said), and the consistency
/// checks every test ends with.
/// </summary>
internal static class ReliabilityKit
{
    /// <summary>
    /// A referral-shaped workflow whose timer is due at an instant the test chooses (<c>dueAt</c> in the start input):
    /// the timer fires, a manager task is created, the instance waits on it.
    /// </summary>
    public const string TimerWorkflow = """
    {
      "id": "reliability-timer:v1", "definitionId": "reliability-timer", "name": "Reliability: timer then task", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "wait", "type": "Elsa.StartAt", "dateTime": { "typeName": "DateTimeOffset", "expression": { "type": "JavaScript", "value": "getInput('dueAt')" } } },
        { "id": "review", "type": "Reconnect.ManagerTask",
          "title": { "typeName": "String", "expression": { "type": "Literal", "value": "Follow up" } },
          "outcomes": { "typeName": "String[]", "expression": { "type": "Literal", "value": ["Done"] } } },
        { "id": "done", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "done" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
        { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "review", "port": "In" } },
        { "source": { "activity": "review", "port": "Done" }, "target": { "activity": "done", "port": "In" } }
      ] }
    }
    """;

    /// <summary>Two bookmarks at once (a manager task and an event), joined: the stimuli of the concurrency test race for both.</summary>
    public const string RaceWorkflow = """
    {
      "id": "reliability-race:v1", "definitionId": "reliability-race", "name": "Reliability: task and event race", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "fork", "type": "Elsa.FlowFork", "branches": { "typeName": "String[]", "expression": { "type": "Literal", "value": ["Task", "Event"] } } },
        { "id": "review", "type": "Reconnect.ManagerTask",
          "title": { "typeName": "String", "expression": { "type": "Literal", "value": "Review" } },
          "outcomes": { "typeName": "String[]", "expression": { "type": "Literal", "value": ["Approve"] } } },
        { "id": "go", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } },
        { "id": "join", "type": "Elsa.FlowJoin", "mode": { "typeName": "String", "expression": { "type": "Literal", "value": "WaitAll" } } },
        { "id": "done", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "done" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "fork", "port": "In" } },
        { "source": { "activity": "fork", "port": "Task" }, "target": { "activity": "review", "port": "In" } },
        { "source": { "activity": "fork", "port": "Event" }, "target": { "activity": "go", "port": "In" } },
        { "source": { "activity": "review", "port": "Approve" }, "target": { "activity": "join", "port": "In" } },
        { "source": { "activity": "go", "port": "Done" }, "target": { "activity": "join", "port": "In" } },
        { "source": { "activity": "join", "port": "Done" }, "target": { "activity": "done", "port": "In" } }
      ] }
    }
    """;

    /// <summary>A real-time timer (two seconds), then an event: what the repeated crashes interrupt.</summary>
    public const string CrashWorkflow = """
    {
      "id": "reliability-crash:v1", "definitionId": "reliability-crash", "name": "Reliability: timer then event", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "wait", "type": "Elsa.Delay", "timeSpan": { "typeName": "TimeSpan", "expression": { "type": "Literal", "value": "PT2S" } } },
        { "id": "fired", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "fired" } } },
        { "id": "go", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } },
        { "id": "done", "type": "Elsa.WriteLine", "text": { "typeName": "String", "expression": { "type": "Literal", "value": "done" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "wait", "port": "In" } },
        { "source": { "activity": "wait", "port": "Done" }, "target": { "activity": "fired", "port": "In" } },
        { "source": { "activity": "fired", "port": "Done" }, "target": { "activity": "go", "port": "In" } },
        { "source": { "activity": "go", "port": "Done" }, "target": { "activity": "done", "port": "In" } }
      ] }
    }
    """;

    /// <summary>An event wait and nothing else: the cheapest waiting instance (the memory test).</summary>
    public const string WaitWorkflow = """
    {
      "id": "reliability-wait:v1", "definitionId": "reliability-wait", "name": "Reliability: wait for an event", "version": 1,
      "root": { "id": "flow", "type": "Elsa.Flowchart", "activities": [
        { "id": "start", "type": "Elsa.Start" },
        { "id": "go", "type": "Elsa.Event", "eventName": { "typeName": "String", "expression": { "type": "Literal", "value": "go" } } }
      ], "connections": [
        { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "go", "port": "In" } }
      ] }
    }
    """;

    /// <summary>A workflows folder holding these definitions (every node deploys it at start-up).</summary>
    public static string WorkflowsFolder(params string[] workflows)
    {
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-tests", "reliability-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var json in workflows)
        {
            var id = JsonNode.Parse(json)!["definitionId"]!.GetValue<string>();
            File.WriteAllText(Path.Combine(folder, id + ".json"), json);
        }
        return folder;
    }

    /// <summary>Settings for server processes in these tests: the dispatcher every second (timers are what they measure).</summary>
    public static Dictionary<string, string> NodeSettings() => new()
    {
        ["Scheduling__TimerDispatchIntervalSeconds"] = "1",
    };

    public static async Task<string> StartInstanceAsync(HttpClient client, string definitionId, string correlationId, object? input = null)
    {
        var response = await client.PostAsJsonAsync("/api/workflow-instances", new { definitionId, correlationId, input });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    // ------------------------------------------------------------------------------------------------ SQL

    public static DbConnection Open(TestDatabase database)
    {
        DbConnection connection = database.Provider == "PostgreSql"
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection(database.ConnectionString);
        connection.Open();
        return connection;
    }

    public static async Task<long> ScalarAsync(TestDatabase database, string sql)
    {
        await using var connection = Open(database);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<List<object?[]>> RowsAsync(TestDatabase database, string sql)
    {
        await using var connection = Open(database);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Journal lines of one kind per instance of one definition (instances with none are absent).</summary>
    public static async Task<Dictionary<string, long>> JournalCountsAsync(TestDatabase database, string definitionId, string kind)
    {
        var rows = await RowsAsync(database, $"""
            SELECT j."InstanceId", COUNT(*) FROM "JournalEntries" j JOIN "WorkflowInstances" i ON i."Id" = j."InstanceId"
            WHERE i."DefinitionId" = '{definitionId}' AND j."Kind" = '{kind}' GROUP BY j."InstanceId"
            """);
        return rows.ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static Task<long> JournalTotalAsync(TestDatabase database, string definitionId, string kind) => ScalarAsync(database, $"""
        SELECT COUNT(*) FROM "JournalEntries" j JOIN "WorkflowInstances" i ON i."Id" = j."InstanceId"
        WHERE i."DefinitionId" = '{definitionId}' AND j."Kind" = '{kind}'
        """);

    /// <summary>
    /// Invariants that must hold of any database at rest, whatever happened to the processes: each query counts
    /// violations and must answer 0. Returns the failures (name and count) so that a test shows all of them at once.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Sql)> Invariants =
    [
        ("a bookmark whose instance is missing or not waiting (Suspended)", """
            SELECT COUNT(*) FROM "Bookmarks" b LEFT JOIN "WorkflowInstances" i ON i."Id" = b."InstanceId"
            WHERE i."Id" IS NULL OR i."Status" <> 'Suspended'
            """),
        ("a waiting (Suspended) instance without a bookmark", """
            SELECT COUNT(*) FROM "WorkflowInstances" i
            WHERE i."Status" = 'Suspended' AND NOT EXISTS (SELECT 1 FROM "Bookmarks" b WHERE b."InstanceId" = i."Id")
            """),
        ("a Running instance at rest without a bookmark or an incident", """
            SELECT COUNT(*) FROM "WorkflowInstances" i
            WHERE i."Status" = 'Running'
              AND NOT EXISTS (SELECT 1 FROM "Bookmarks" b WHERE b."InstanceId" = i."Id")
              AND NOT EXISTS (SELECT 1 FROM "Incidents" x WHERE x."InstanceId" = i."Id")
            """),
        ("two task rows for one task bookmark", """
            SELECT COUNT(*) FROM (SELECT "BookmarkId" FROM "Tasks" WHERE "BookmarkId" <> '' GROUP BY "BookmarkId" HAVING COUNT(*) > 1) d
            """),
        ("an open task whose bookmark is gone", """
            SELECT COUNT(*) FROM "Tasks" t
            WHERE t."Status" IN ('Open', 'Claimed') AND t."BookmarkId" <> ''
              AND NOT EXISTS (SELECT 1 FROM "Bookmarks" b WHERE b."Id" = t."BookmarkId")
            """),
        ("a task bookmark without its open task row", """
            SELECT COUNT(*) FROM "Bookmarks" b
            WHERE b."Name" = 'Task'
              AND NOT EXISTS (SELECT 1 FROM "Tasks" t WHERE t."BookmarkId" = b."Id" AND t."Status" IN ('Open', 'Claimed'))
            """),
        ("a completed task without a task-completed journal line", """
            SELECT COUNT(*) FROM "Tasks" t
            WHERE t."Status" = 'Completed' AND t."BookmarkId" <> ''
              AND NOT EXISTS (SELECT 1 FROM "JournalEntries" j WHERE j."InstanceId" = t."InstanceId" AND j."Kind" = 'task-completed' AND j."ActivityId" = t."ActivityId")
            """),
        ("a finished instance with no finished journal line", """
            SELECT COUNT(*) FROM "WorkflowInstances" i
            WHERE i."Status" = 'Finished' AND NOT EXISTS (SELECT 1 FROM "JournalEntries" j WHERE j."InstanceId" = i."Id" AND j."Kind" = 'finished')
            """),
    ];

    public static async Task AssertConsistentAsync(TestDatabase database)
    {
        var failures = new List<string>();
        foreach (var (name, sql) in Invariants)
        {
            var count = await ScalarAsync(database, sql);
            if (count != 0) failures.Add($"{count} × {name}");
        }
        Assert.True(failures.Count == 0, "The database is inconsistent:\n" + string.Join("\n", failures));
    }

    /// <summary>SQLite: copies of one waiting instance with correlation ids <c>m1</c>… (<see cref="SqliteInstanceCloner"/>).</summary>
    public static async Task CloneWaitingInstanceAsync(TestDatabase database, string sourceId, string sourceCorrelation, int copies)
    {
        await using var connection = Open(database);
        await SqliteInstanceCloner.CloneWaitingInstanceAsync(connection, sourceId, sourceCorrelation, copies, "m");
    }

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
