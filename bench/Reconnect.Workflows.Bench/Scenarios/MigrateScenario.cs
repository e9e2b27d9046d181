using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Migrations;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// Issue 11: 10,000 instances waiting on a follow-up timer ("release date + FollowUpDays", a JavaScript StartAt) on
/// SQLite, migrated from v1 to v2 (FollowUpDays 7 → 10, "new") by one migration job — the application's own
/// <see cref="MigrationService"/> and <see cref="MigrationJobs"/>, each instance its own transaction through the
/// store's commit. Timed from the request to the job's end; then checked outside the clock: every instance on v2, each
/// migrated once (one <c>migrated</c> journal line each), every timer moved by three days.
/// </summary>
public sealed class MigrateScenario : IScenario
{
    private const string DefinitionId = "bench-follow-up";

    public string Name => "migrate";

    public string Description => "10,000 waiting instances on SQLite migrated to a new version in one job (each once): instances per second";

    private static WorkflowDefinition Definition(int version, int followUpDays) => WorkflowJson.Parse($$"""
        {
          "id": "{{DefinitionId}}:v{{version}}", "definitionId": "{{DefinitionId}}", "name": "Bench follow-up", "version": {{version}},
          "isPublished": true, "isLatest": true,
          "variables": [
            { "id": "ReleaseDate", "name": "ReleaseDate", "typeName": "String", "value": "2099-03-01" },
            { "id": "FollowUpDays", "name": "FollowUpDays", "typeName": "Int32", "value": {{followUpDays}} }
          ],
          "root": { "id": "flowchart", "type": "Elsa.Flowchart", "activities": [
            { "id": "start", "type": "Elsa.Start" },
            { "id": "followUp", "type": "Elsa.StartAt", "dateTime": { "typeName": "DateTimeOffset", "expression": { "type": "JavaScript", "value": "addDays(variables.ReleaseDate, variables.FollowUpDays)" } } },
            { "id": "done", "type": "Elsa.Finish" }
          ], "connections": [
            { "source": { "activity": "start", "port": "Done" }, "target": { "activity": "followUp", "port": "In" } },
            { "source": { "activity": "followUp", "port": "Done" }, "target": { "activity": "done", "port": "In" } }
          ] }
        }
        """);

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var n = options.Quick ? 1_000 : 10_000;
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"migrate-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReconnectClock();
        services.AddReconnectApplication();
        services.AddReconnectPersistence(DatabaseProviders.Sqlite, connectionString);
        services.AddReconnectEngine();
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            var definitions = provider.GetRequiredService<IWorkflowDefinitionStore>();
            var v1 = Definition(1, 7);
            await definitions.SaveAsync(v1);
            var runtime = provider.GetRequiredService<WorkflowRuntime>();

            var seed = Stopwatch.StartNew();
            var started = await Measure.ForEachAsync(n, options.Workers, async _ =>
                (await runtime.StartAsync(v1, null, null, null, CancellationToken.None)).State?.Status == Engine.Execution.WorkflowStatus.Suspended);
            log.WriteLine($"    {Format.Count(started)} instances waiting on v1's timer, started in {Format.Ms(seed.Elapsed)}");
            await definitions.SaveAsync(Definition(2, 10));

            var manager = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "bench"), new Claim(ClaimTypes.Name, "bench"), new Claim(ClaimTypes.Role, "Manager")], "bench", ClaimTypes.Name, ClaimTypes.Role));
            Measure.Settle();
            var clock = Stopwatch.StartNew();
            var result = await provider.GetRequiredService<MigrationService>().SubmitAsync(manager, DefinitionId,
                new MigrationRequest(1, 2, Variables: new Dictionary<string, string> { ["FollowUpDays"] = "new" }));
            if (result is not MigrationResult.Started job) return ScenarioResult.Failed(Name, $"the migration was not started: {result}");
            await provider.GetRequiredService<InProcessMigrationJobScheduler>().WaitAsync(job.Job.Id);
            clock.Stop();
            var final = (await provider.GetRequiredService<MigrationService>().GetAsync(job.Job.Id))!;
            var rate = final.Migrated / clock.Elapsed.TotalSeconds;
            log.WriteLine($"    job {final.Status}: total {Format.Count(final.Total)}, migrated {Format.Count(final.Migrated)}, failed {final.Failed} in {Format.Ms(clock.Elapsed)}");

            // Checked outside the clock: each instance migrated exactly once, all on v2, every timer three days later.
            int onV2, migratedLines, distinct, moved;
            var due = new DateTimeOffset(2099, 3, 11, 0, 0, 0, TimeSpan.Zero);
            await using (var db = await provider.GetRequiredService<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
            {
                onV2 = await db.WorkflowInstances.CountAsync(i => i.DefinitionVersion == 2);
                migratedLines = await db.JournalEntries.CountAsync(j => j.Kind == "migrated");
                distinct = await db.JournalEntries.Where(j => j.Kind == "migrated").Select(j => j.InstanceId).Distinct().CountAsync();
                moved = await db.Bookmarks.CountAsync(b => b.DueAt == due);
            }
            log.WriteLine($"    checked: {Format.Count(onV2)} on v2, {Format.Count(migratedLines)} 'migrated' lines over {Format.Count(distinct)} instances, {Format.Count(moved)} timers at release + 10");
            var complete = final.Status == MigrationJobStatus.Completed && final.Migrated == n && final.Failed == 0 && onV2 == n && migratedLines == n && distinct == n && moved == n;
            return new ScenarioResult(Name,
                [new Figure("migrated", Format.Count(final.Migrated)), new Figure("in", Format.Ms(clock.Elapsed)), new Figure("rate", Format.Rate(rate))],
                "each instance once", complete, complete ? null : ["not every instance was migrated exactly once (see the log above)"])
            {
                Values = new Dictionary<string, object> { ["instances"] = final.Migrated, ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2), ["rate"] = Math.Round(rate, 1) },
            };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" })
                try { File.Delete(f); } catch (IOException) { }
        }
    }
}
