using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11, persisted on SQLite (a temp file, WAL, synchronous FULL): (a) start a pathway-like instance to its first
/// bookmarks (Start → SetVariable → Fork → StartAt timer + RunTask task + Event listener) with 1 and 2 concurrent starters;
/// (b) resume: complete each instance's RunTask task; (c) the raw commit rate of the same rows (same tables, indexes and row
/// counts per transaction, the same state JSON) written with plain Microsoft.Data.Sqlite commands, one transaction each, in
/// the same run. Goals: ≥ 1,000 starts/s, ≥ 50% of raw for starts and resumes, and a start + resume cycle ≥ 2× WorkflowCore's
/// in-memory start → event → finish.
/// </summary>
public sealed class PersistedSqliteScenario : IScenario
{
    public const string DefinitionId = "bench-pathway";
    public const double GoalShareOfRaw = 0.5;
    public const double GoalStartsPerSecond = 1_000;
    public const double GoalTimesWorkflowCore = 2;

    public string Name => "persisted-sqlite";

    public string Description => "pathway start to first bookmarks and task resume on SQLite (WAL, FULL) vs raw SQLite commits of the same rows and WorkflowCore in memory";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var runner = new WorkflowRunner();
        var definition = Pathway().Validated(runner);
        var n = options.PersistedN;

        var sample = await RowSample.CaptureAsync(runner, definition);
        log.WriteLine($"    one start commits: {sample.DescribeStart()}");
        log.WriteLine($"    one resume commits: {sample.DescribeResume()}");

        var start1 = await Measure.ThroughputAsync("start x1", n, options.WarmupRounds, options.Rounds, k => StartRoundAsync(runner, definition, k, 1), log);
        var start2 = await Measure.ThroughputAsync("start x2", n, options.WarmupRounds, options.Rounds, k => StartRoundAsync(runner, definition, k, 2), log);
        var resume = await Measure.ThroughputAsync("resume", n, options.WarmupRounds, options.Rounds, k => ResumeRoundAsync(runner, definition, k, options.Workers), log);
        var rawStart = await Measure.ThroughputAsync("raw start", n, options.WarmupRounds, options.Rounds, k => RawRoundAsync(runner, sample, k, timeResumes: false), log);
        var rawResume = await Measure.ThroughputAsync("raw resume", n, options.WarmupRounds, options.Rounds, k => RawRoundAsync(runner, sample, k, timeResumes: true), log);
        var workflowCore = await Measure.ThroughputAsync("WorkflowCore", options.WorkflowCoreN, options.WarmupRounds, options.Rounds,
            k => EventResumeScenario.WorkflowCoreRoundAsync(k, options.WorkflowCore, options.RoundTimeout), log);

        var bestStart = Math.Max(start1.Median, start2.Median);
        var startShare = bestStart / rawStart.Median;
        var resumeShare = resume.Median / rawResume.Median;
        // One pathway cycle = a start and a resume, against WorkflowCore's start → event → finish in memory.
        var cycle = 1 / (1 / bestStart + 1 / resume.Median);
        var timesWorkflowCore = cycle / workflowCore.Median;
        var complete = start1.Complete && start2.Complete && resume.Complete && rawStart.Complete && rawResume.Complete && workflowCore.Complete;
        var pass = complete && bestStart >= GoalStartsPerSecond && startShare >= GoalShareOfRaw && resumeShare >= GoalShareOfRaw
            && resume.Median >= GoalStartsPerSecond && timesWorkflowCore >= GoalTimesWorkflowCore;
        var notes = new List<string>
        {
            $"start x1 {Format.Rate(start1.Median)}, start x2 {Format.Rate(start2.Median)}, raw start {Format.Rate(rawStart.Median)}: {Percent(startShare)} of raw",
            $"resume {Format.Rate(resume.Median)}, raw resume {Format.Rate(rawResume.Median)}: {Percent(resumeShare)} of raw",
            $"cycle (start + resume) {Format.Rate(cycle)} vs WorkflowCore in memory {Format.Rate(workflowCore.Median)}: {Format.Ratio(timesWorkflowCore)}",
        };
        if (!complete) notes.Add("a round did not complete every instance (see the log above)");
        return new ScenarioResult(Name,
            [
                new Figure("start", Format.Rate(bestStart)),
                new Figure("raw", Format.Rate(rawStart.Median)),
                new Figure("share", Percent(startShare)),
                new Figure("resume", Format.Rate(resume.Median)),
                new Figure("raw", Format.Rate(rawResume.Median)),
                new Figure("share", Percent(resumeShare)),
                new Figure("vs WorkflowCore", Format.Ratio(timesWorkflowCore)),
            ],
            "goal >= 1,000/s, >= 50% of raw, >= 2x WorkflowCore", pass, notes);
    }

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Start → SetVariable (release date) → Fork → StartAt (the release date) + RunTask + Event (consent-withdrawn → Finish).</summary>
    public static WorkflowDefinition Pathway()
    {
        var d = new WorkflowDefinition
        {
            Id = DefinitionId + "-v1", DefinitionId = DefinitionId, Name = "Benchmark: pathway start", Version = 1, IsPublished = true, IsLatest = true,
            Root = ActivityNode.EmptyFlowchart(),
        };
        d.Variables.Add(new VariableDefinition { Id = "releaseDate", Name = "releaseDate", TypeName = "String" });
        var set = new ActivityNode { Id = "set-release", Type = "Elsa.SetVariable" };
        set.SetInputRaw("variable", new JsonObject { ["id"] = "releaseDate", ["name"] = "releaseDate" });
        set.SetInput("value", "String", Expression.OfLiteral("2030-03-01"));
        var fork = new ActivityNode { Id = "fork", Type = "Elsa.FlowFork" };
        fork.SetInput("branches", "String[]", Expression.OfLiteral("Timer,Task,Listen"));
        var timer = new ActivityNode { Id = "release-day", Type = "Elsa.StartAt" };
        timer.SetInput("dateTime", "DateTimeOffset", Expression.OfVariable("releaseDate"));
        var task = new ActivityNode { Id = "first-contact", Type = "Elsa.RunTask" };
        task.SetInput("taskName", "String", Expression.OfLiteral("First contact"));
        var listen = new ActivityNode { Id = "consent-withdrawn", Type = "Elsa.Event" };
        listen.SetInput("eventName", "String", Expression.OfLiteral("consent-withdrawn"));
        d.Root.Activities!.AddRange([new ActivityNode { Id = "start", Type = "Elsa.Start" }, set, fork, timer, task, listen, new ActivityNode { Id = "close", Type = "Elsa.Finish" }]);
        d.Root.Connections!.AddRange(
        [
            new Connection("start", "Done", "set-release"), new Connection("set-release", "Done", "fork"),
            new Connection("fork", "Timer", "release-day"), new Connection("fork", "Task", "first-contact"),
            new Connection("fork", "Listen", "consent-withdrawn"), new Connection("consent-withdrawn", "Done", "close"),
        ]);
        return d;
    }

    private static string Key(int i) => "referral-" + i.ToString("D7", CultureInfo.InvariantCulture);

    private static async Task<RoundOutcome> StartRoundAsync(WorkflowRunner runner, WorkflowDefinition definition, int n, int workers)
    {
        await using var host = await PersistedHost.CreateAsync(runner, definition);
        Measure.Settle();
        var sw = Stopwatch.StartNew();
        var waiting = await Measure.ForEachAsync(n, workers, async i =>
        {
            var result = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(i));
            return result.Succeeded && result.State!.Status == WorkflowStatus.Suspended && result.State.Bookmarks.Count == 3;
        });
        sw.Stop();
        var rows = await host.CountAsync("SELECT COUNT(*) FROM \"Bookmarks\"");
        return new RoundOutcome(n, (int)Math.Min(waiting, rows / 3), sw.Elapsed, $"{workers} starter(s)");
    }

    private static async Task<RoundOutcome> ResumeRoundAsync(WorkflowRunner runner, WorkflowDefinition definition, int n, int workers)
    {
        await using var host = await PersistedHost.CreateAsync(runner, definition);
        var taskIds = new string[n];
        await Measure.ForEachAsync(n, 2, async i =>
        {
            var result = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(i));
            taskIds[i] = result.Step!.Effects.OfType<CreateTaskEffect>().Single().TaskId;
            return true;
        });
        Measure.Settle();
        var sw = Stopwatch.StartNew();
        var resumed = await Measure.ForEachAsync(n, workers, async i =>
            (await host.Runtime.CompleteTaskAsync(taskIds[i], "Done")).Status == ResumeStatus.Resumed);
        sw.Stop();
        var completed = await host.CountAsync("SELECT COUNT(*) FROM \"Tasks\" WHERE \"Status\" = 'Completed'");
        return new RoundOutcome(n, (int)Math.Min(resumed, completed), sw.Elapsed, $"{workers} caller(s)");
    }

    /// <summary>
    /// The yardstick: the same rows as the runtime's commits, by plain prepared commands on one connection, one transaction
    /// per instance, on a database made by the same migrations (same indexes) with the same settings. Starts first; with
    /// <paramref name="timeResumes"/> the starts are set-up and the resumes are timed.
    /// </summary>
    private static async Task<RoundOutcome> RawRoundAsync(WorkflowRunner runner, RowSample sample, int n, bool timeResumes)
    {
        await using var host = await PersistedHost.CreateAsync(runner);
        var ids = Enumerable.Range(0, n).Select(i => new RawIds(Key(i))).ToArray();
        await using var connection = new SqliteConnection(host.ConnectionString);
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync();
        }
        using var writer = new RawWriter(connection, sample);
        if (timeResumes)
            foreach (var id in ids) writer.Start(id);
        Measure.Settle();
        var sw = Stopwatch.StartNew();
        var done = 0;
        foreach (var id in ids)
            if (timeResumes ? writer.Resume(id) : writer.Start(id)) done++;
        sw.Stop();
        return new RoundOutcome(n, done, sw.Elapsed, "1 connection");
    }

    private sealed class RawIds(string key)
    {
        public string Key { get; } = key;
        public string Instance { get; } = Guid.CreateVersion7().ToString("N");
        public string Task { get; } = Guid.CreateVersion7().ToString("N");
        public string[] Bookmarks { get; } = [Guid.CreateVersion7().ToString("N"), Guid.CreateVersion7().ToString("N"), Guid.CreateVersion7().ToString("N")];
        public string[] Hashes { get; } = [Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N")];
    }

    /// <summary>Rows as the runtime wrote them for one instance: column → value, read back from a scratch database.</summary>
    private sealed class RowSample
    {
        public required Dictionary<string, object?> Instance { get; init; }
        public required List<Dictionary<string, object?>> Bookmarks { get; init; }
        public required List<Dictionary<string, object?>> StartJournal { get; init; }
        public required Dictionary<string, object?> Task { get; init; }
        public required Dictionary<string, object?> ResumedInstance { get; init; }
        public required List<Dictionary<string, object?>> ResumeJournal { get; init; }
        public required Dictionary<string, object?> CompletedTask { get; init; }
        public required string TaskBookmarkId { get; init; }

        public string DescribeStart() =>
            $"1 instance row (state JSON {((string)Instance["StateJson"]!).Length:N0} chars) + {Bookmarks.Count} bookmarks + {StartJournal.Count} journal rows + 1 task row";

        public string DescribeResume() =>
            $"1 instance update (state JSON {((string)ResumedInstance["StateJson"]!).Length:N0} chars) + 1 bookmark delete + {ResumeJournal.Count} journal rows + 1 task update";

        public static async Task<RowSample> CaptureAsync(WorkflowRunner runner, WorkflowDefinition definition)
        {
            await using var host = await PersistedHost.CreateAsync(runner, definition);
            var started = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(0));
            var id = started.State!.Id;
            var taskId = started.Step!.Effects.OfType<CreateTaskEffect>().Single().TaskId;
            await using var connection = new SqliteConnection(host.ConnectionString);
            await connection.OpenAsync();
            var instance = (await RowsAsync(connection, "WorkflowInstances", id, "Id")).Single();
            var bookmarks = await RowsAsync(connection, "Bookmarks", id);
            var journal = await RowsAsync(connection, "JournalEntries", id);
            var task = (await RowsAsync(connection, "Tasks", taskId, "Id")).Single();
            var maxJournal = journal.Max(j => (long)j["Id"]!);
            if ((await host.Runtime.CompleteTaskAsync(taskId, "Done")).Status != ResumeStatus.Resumed)
                throw new InvalidOperationException("The sample task did not resume.");
            return new RowSample
            {
                Instance = instance,
                Bookmarks = bookmarks,
                StartJournal = journal,
                Task = task,
                ResumedInstance = (await RowsAsync(connection, "WorkflowInstances", id, "Id")).Single(),
                ResumeJournal = [.. (await RowsAsync(connection, "JournalEntries", id)).Where(j => (long)j["Id"]! > maxJournal)],
                CompletedTask = (await RowsAsync(connection, "Tasks", taskId, "Id")).Single(),
                TaskBookmarkId = (string)task["BookmarkId"]!,
            };
        }

        private static async Task<List<Dictionary<string, object?>>> RowsAsync(SqliteConnection connection, string table, string id, string column = "InstanceId")
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"{column}\" = @id ORDER BY rowid";
            command.Parameters.AddWithValue("@id", id);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<Dictionary<string, object?>>();
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var c = 0; c < reader.FieldCount; c++) row[reader.GetName(c)] = reader.IsDBNull(c) ? null : reader.GetValue(c);
                rows.Add(row);
            }
            return rows;
        }
    }

    /// <summary>Prepared INSERT/UPDATE/DELETE commands for the sample's rows; each call is one transaction.</summary>
    private sealed class RawWriter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly RowSample _sample;
        private readonly SqliteCommand _insertInstance, _insertBookmark, _insertJournal, _insertTask, _updateInstance, _deleteBookmark, _updateTask;

        public RawWriter(SqliteConnection connection, RowSample sample)
        {
            _connection = connection;
            _sample = sample;
            _insertInstance = Insert("WorkflowInstances", sample.Instance);
            _insertBookmark = Insert("Bookmarks", sample.Bookmarks[0]);
            _insertJournal = Insert("JournalEntries", sample.StartJournal[0], skip: "Id");
            _insertTask = Insert("Tasks", sample.Task);
            _updateInstance = Command("UPDATE \"WorkflowInstances\" SET \"StateJson\" = @StateJson, \"Version\" = @Version, \"Status\" = @Status, \"CorrelationId\" = @CorrelationId, "
                + "\"UpdatedAt\" = @UpdatedAt, \"FinishedAt\" = @FinishedAt WHERE \"Id\" = @Id AND \"Version\" = @Expected",
                "StateJson", "Version", "Status", "CorrelationId", "UpdatedAt", "FinishedAt", "Id", "Expected");
            _deleteBookmark = Command("DELETE FROM \"Bookmarks\" WHERE \"Id\" = @Id", "Id");
            _updateTask = Command("UPDATE \"Tasks\" SET \"Status\" = @Status, \"Outcome\" = @Outcome, \"CompletedAt\" = @CompletedAt WHERE \"Id\" = @Id",
                "Status", "Outcome", "CompletedAt", "Id");
        }

        public bool Start(RawIds ids)
        {
            using var tx = _connection.BeginTransaction();
            Run(_insertInstance, tx, _sample.Instance, ("Id", ids.Instance), ("CorrelationId", ids.Key));
            for (var b = 0; b < _sample.Bookmarks.Count; b++)
            {
                var row = _sample.Bookmarks[b];
                var isTask = (string)row["Id"]! == _sample.TaskBookmarkId;
                Run(_insertBookmark, tx, row, ("Id", isTask ? TaskBookmark(ids) : ids.Bookmarks[b]), ("InstanceId", ids.Instance),
                    ("CorrelationId", ids.Key), ("Hash", (string)row["Name"]! == "Event" ? row["Hash"] : ids.Hashes[b]));
            }
            foreach (var row in _sample.StartJournal) Run(_insertJournal, tx, row, ("InstanceId", ids.Instance));
            Run(_insertTask, tx, _sample.Task, ("Id", ids.Task), ("InstanceId", ids.Instance), ("BookmarkId", TaskBookmark(ids)), ("SubjectId", ids.Key));
            tx.Commit();
            return true;
        }

        public bool Resume(RawIds ids)
        {
            using var tx = _connection.BeginTransaction();
            var resumed = _sample.ResumedInstance;
            if (Run(_updateInstance, tx, resumed, ("Id", ids.Instance), ("CorrelationId", ids.Key), ("Expected", _sample.Instance["Version"])) != 1) return false;
            if (Run(_deleteBookmark, tx, new Dictionary<string, object?>(), ("Id", TaskBookmark(ids))) != 1) return false;
            foreach (var row in _sample.ResumeJournal) Run(_insertJournal, tx, row, ("InstanceId", ids.Instance));
            Run(_updateTask, tx, _sample.CompletedTask, ("Id", ids.Task));
            tx.Commit();
            return true;
        }

        private static string TaskBookmark(RawIds ids) => ids.Bookmarks[^1] + "t";

        private SqliteCommand Insert(string table, Dictionary<string, object?> row, string? skip = null)
        {
            var columns = row.Keys.Where(c => c != skip).ToArray();
            return Command($"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})", columns);
        }

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var p in parameters) command.Parameters.Add(new SqliteParameter("@" + p, null));
            command.Prepare();
            return command;
        }

        private static int Run(SqliteCommand command, SqliteTransaction tx, Dictionary<string, object?> row, params (string Column, object? Value)[] overrides)
        {
            command.Transaction = tx;
            foreach (SqliteParameter p in command.Parameters)
            {
                var name = p.ParameterName[1..];
                var value = row.GetValueOrDefault(name);
                foreach (var (column, v) in overrides) if (column == name) value = v;
                p.Value = value ?? DBNull.Value;
            }
            return command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var c in new[] { _insertInstance, _insertBookmark, _insertJournal, _insertTask, _updateInstance, _deleteBookmark, _updateTask }) c.Dispose();
        }
    }
}
