using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Data.Common;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Commit;
using Reconnect.Workflows.Bench.Engines;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11, persisted, on SQLite (a temp file, WAL, synchronous FULL) or PostgreSQL (a fresh database on the server
/// given): (a) start a pathway-like instance to its first bookmarks (Start → SetVariable → Fork → StartAt timer + RunTask
/// task + Event listener) by 1 caller (with its p50 latency, with group commit and with one transaction per step) and by
/// <c>--workers</c> callers; (b) resume: complete each instance's RunTask task by <c>--workers</c> callers; (c) the raw
/// one-commit-per-step rate of the same rows (same tables, indexes and row counts per transaction, the same state JSON)
/// written by plain ADO.NET commands on one connection, one transaction each, in the same run. Goals (issue #13): start and
/// resume each ≥ 2× raw, a start + resume cycle ≥ 2× WorkflowCore's in-memory start → event → finish, and a single
/// caller's p50 no more than 10% worse than one transaction per step.
/// </summary>
public sealed class PersistedScenario(string provider) : IScenario
{
    public const string DefinitionId = "bench-pathway";
    public const double GoalTimesRaw = 2;
    public const double GoalTimesWorkflowCore = 2;
    public const double GoalLatencyWorse = 1.10;

    public string Name => provider == DatabaseProviders.PostgreSql ? "persisted-postgres" : "persisted-sqlite";

    public string Description => provider == DatabaseProviders.PostgreSql
        ? "pathway start and task resume on PostgreSQL (a fresh database; --postgres) vs raw one-commit-per-step and WorkflowCore in memory"
        : "pathway start and task resume on SQLite (WAL, FULL) vs raw one-commit-per-step SQLite commits of the same rows and WorkflowCore in memory";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var database = provider == DatabaseProviders.PostgreSql
            ? new BenchDatabase(provider, options.PostgresAdmin ?? throw new InvalidOperationException("persisted-postgres needs --postgres or RECONNECT_TEST_POSTGRES."))
            : BenchDatabase.Sqlite;
        var runner = new WorkflowRunner();
        var definition = Pathway().Validated(runner);
        var n = options.PersistedN;
        var w = options.Workers;

        var sample = await RowSample.CaptureAsync(database, runner, definition);
        log.WriteLine($"    one start commits: {sample.DescribeStart()}");
        log.WriteLine($"    one resume commits: {sample.DescribeResume()}");
        if (provider == DatabaseProviders.PostgreSql)
        {
            await using var probe = await PersistedHost.CreateAsync(database, runner, null);
            log.WriteLine($"    server: fsync={await probe.ScalarTextAsync("SHOW fsync")}, synchronous_commit={await probe.ScalarTextAsync("SHOW synchronous_commit")}, "
                + $"{await probe.ScalarTextAsync("SELECT version()")}");
        }

        var latencyGrouped = new List<double>();
        var latencyPerStep = new List<double>();
        // The single caller with group commit and with one transaction per step, round by round in turn, so that load
        // that comes and goes on the machine (and JIT tiering) is shared between the two.
        var (start1, start1PerStep) = await Measure.AlternatingAsync(
            "start x1", k => StartRoundAsync(database, runner, definition, k, 1, null, k == n ? latencyGrouped : null),
            "start x1, 1 tx", k => StartRoundAsync(database, runner, definition, k, 1, new GroupCommitSettings(1), k == n ? latencyPerStep : null),
            n, options.WarmupRounds, options.Rounds, log);
        var startW = await Measure.ThroughputAsync($"start x{w}", n, options.WarmupRounds, options.Rounds, k => StartRoundAsync(database, runner, definition, k, w, null, null), log);
        var resume = await Measure.ThroughputAsync($"resume x{w}", n, options.WarmupRounds, options.Rounds, k => ResumeRoundAsync(database, runner, definition, k, w), log);
        var rawStart = await Measure.ThroughputAsync("raw start", n, options.WarmupRounds, options.Rounds, k => RawRoundAsync(database, runner, sample, k, timeResumes: false), log);
        var rawResume = await Measure.ThroughputAsync("raw resume", n, options.WarmupRounds, options.Rounds, k => RawRoundAsync(database, runner, sample, k, timeResumes: true), log);
        var workflowCore = await Measure.ThroughputAsync("WorkflowCore", options.WorkflowCoreN, options.WarmupRounds, options.Rounds,
            k => EventResumeScenario.WorkflowCoreRoundAsync(k, options.WorkflowCore, options.RoundTimeout), log);

        var startTimesRaw = startW.Median / rawStart.Median;
        var resumeTimesRaw = resume.Median / rawResume.Median;
        // One pathway cycle = a start and a resume, against WorkflowCore's start → event → finish in memory.
        var cycle = 1 / (1 / startW.Median + 1 / resume.Median);
        var timesWorkflowCore = cycle / workflowCore.Median;
        var p50Grouped = Percentile(latencyGrouped, 0.5);
        var p50PerStep = Percentile(latencyPerStep, 0.5);
        var latencyRatio = p50PerStep > 0 ? p50Grouped / p50PerStep : double.NaN;
        var complete = start1.Complete && start1PerStep.Complete && startW.Complete && resume.Complete && rawStart.Complete && rawResume.Complete && workflowCore.Complete;
        var pass = complete && startTimesRaw >= GoalTimesRaw && resumeTimesRaw >= GoalTimesRaw && timesWorkflowCore >= GoalTimesWorkflowCore && latencyRatio <= GoalLatencyWorse;
        var notes = new List<string>
        {
            $"start x{w} {Format.Rate(startW.Median)} vs raw start {Format.Rate(rawStart.Median)}: {Format.Ratio(startTimesRaw)}   (start x1 {Format.Rate(start1.Median)}; x1 with one transaction per step {Format.Rate(start1PerStep.Median)})",
            $"resume x{w} {Format.Rate(resume.Median)} vs raw resume {Format.Rate(rawResume.Median)}: {Format.Ratio(resumeTimesRaw)}",
            $"cycle (start + resume) {Format.Rate(cycle)} vs WorkflowCore in memory {Format.Rate(workflowCore.Median)}: {Format.Ratio(timesWorkflowCore)}",
            $"single caller p50 {Ms(p50Grouped)} (p99 {Ms(Percentile(latencyGrouped, 0.99))}) vs one transaction per step p50 {Ms(p50PerStep)} (p99 {Ms(Percentile(latencyPerStep, 0.99))}): "
                + $"{(latencyRatio * 100 - 100).ToString("+0.0;-0.0", CultureInfo.InvariantCulture)}%",
        };
        if (!complete) notes.Add("a round did not complete every instance (see the log above)");
        return new ScenarioResult(Name,
            [
                new Figure("start", Format.Rate(startW.Median)),
                new Figure("raw", Format.Rate(rawStart.Median)),
                new Figure("", Format.Ratio(startTimesRaw)),
                new Figure("resume", Format.Rate(resume.Median)),
                new Figure("raw", Format.Rate(rawResume.Median)),
                new Figure("", Format.Ratio(resumeTimesRaw)),
                new Figure("cycle vs WorkflowCore", Format.Ratio(timesWorkflowCore)),
            ],
            "goal >= 2x raw, cycle >= 2x WorkflowCore, x1 p50 <= +10%", pass, notes)
        {
            Values = new Dictionary<string, object>
            {
                ["start"] = Round(startW.Median), ["rawStart"] = Round(rawStart.Median), ["resume"] = Round(resume.Median), ["rawResume"] = Round(rawResume.Median),
                ["cycle"] = Round(cycle), ["workflowCore"] = Round(workflowCore.Median), ["workers"] = w,
                ["startSingle"] = Round(start1.Median), ["startSingleOneTxPerStep"] = Round(start1PerStep.Median),
                ["p50SingleMs"] = Math.Round(p50Grouped, 3), ["p50SingleOneTxPerStepMs"] = Math.Round(p50PerStep, 3),
            },
        };
    }

    private static double Round(double value) => Math.Round(value, 1);

    private static string Ms(double ms) => ms.ToString("N2", CultureInfo.InvariantCulture) + " ms";

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
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

    private static async Task<RoundOutcome> StartRoundAsync(BenchDatabase database, WorkflowRunner runner, WorkflowDefinition definition, int n, int workers,
        GroupCommitSettings? groupCommit, List<double>? latencies)
    {
        await using var host = await PersistedHost.CreateAsync(database, runner, groupCommit, definition);
        var millis = latencies is null ? null : new double[n];
        using var meter = new CommitMeter();
        Measure.Settle();
        meter.Reset();
        var sw = Stopwatch.StartNew();
        var waiting = await Measure.ForEachAsync(n, workers, async i =>
        {
            var began = Stopwatch.GetTimestamp();
            var result = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(i));
            if (millis is not null) millis[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            return result.Succeeded && result.State!.Status == WorkflowStatus.Suspended && result.State.Bookmarks.Count == 3;
        });
        sw.Stop();
        if (millis is not null) latencies!.AddRange(millis);
        var rows = await host.CountAsync("SELECT COUNT(*) FROM \"Bookmarks\"");
        return new RoundOutcome(n, (int)Math.Min(waiting, rows / 3), sw.Elapsed,
            $"{workers} starter(s){(groupCommit is { MaxBatchSize: 1 } ? ", one transaction per step" : "")}; {meter.Describe(sw.Elapsed)}");
    }

    private static async Task<RoundOutcome> ResumeRoundAsync(BenchDatabase database, WorkflowRunner runner, WorkflowDefinition definition, int n, int workers)
    {
        await using var host = await PersistedHost.CreateAsync(database, runner, null, definition);
        var taskIds = new string[n];
        await Measure.ForEachAsync(n, workers, async i =>
        {
            var result = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(i));
            taskIds[i] = result.Step!.Effects.OfType<CreateTaskEffect>().Single().TaskId;
            return true;
        });
        using var meter = new CommitMeter();
        Measure.Settle();
        meter.Reset();
        var sw = Stopwatch.StartNew();
        var resumed = await Measure.ForEachAsync(n, workers, async i =>
            (await host.Runtime.CompleteTaskAsync(taskIds[i], "Done")).Status == ResumeStatus.Resumed);
        sw.Stop();
        var completed = await host.CountAsync("SELECT COUNT(*) FROM \"Tasks\" WHERE \"Status\" = 'Completed'");
        return new RoundOutcome(n, (int)Math.Min(resumed, completed), sw.Elapsed, $"{workers} caller(s); {meter.Describe(sw.Elapsed)}");
    }

    /// <summary>
    /// The yardstick: the same rows as the runtime's commits, by plain prepared commands on one connection, one transaction
    /// per instance, on a database made by the same migrations (same indexes) with the same settings. Starts first; with
    /// <paramref name="timeResumes"/> the starts are set-up and the resumes are timed.
    /// </summary>
    private static async Task<RoundOutcome> RawRoundAsync(BenchDatabase database, WorkflowRunner runner, RowSample sample, int n, bool timeResumes)
    {
        await using var host = await PersistedHost.CreateAsync(database, runner, null);
        var ids = Enumerable.Range(0, n).Select(i => new RawIds(Key(i))).ToArray();
        await using var connection = host.OpenConnection();
        if (host.Provider == DatabaseProviders.Sqlite)
        {
            await using var pragma = connection.CreateCommand();
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

        public static async Task<RowSample> CaptureAsync(BenchDatabase database, WorkflowRunner runner, WorkflowDefinition definition)
        {
            await using var host = await PersistedHost.CreateAsync(database, runner, null, definition);
            var started = await host.Runtime.StartAsync(DefinitionId, correlationId: Key(0));
            var id = started.State!.Id;
            var taskId = started.Step!.Effects.OfType<CreateTaskEffect>().Single().TaskId;
            await using var connection = host.OpenConnection();
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

        private static async Task<List<Dictionary<string, object?>>> RowsAsync(DbConnection connection, string table, string id, string column = "InstanceId")
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"{column}\" = @id" + (table == "JournalEntries" ? " ORDER BY \"Id\"" : "");
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = id;
            command.Parameters.Add(parameter);
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
        private readonly DbConnection _connection;
        private readonly RowSample _sample;
        private readonly HashSet<DbCommand> _prepared = [];
        private readonly DbCommand _insertInstance, _insertBookmark, _insertJournal, _insertTask, _updateInstance, _deleteBookmark, _updateTask;

        public RawWriter(DbConnection connection, RowSample sample)
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

        private DbCommand Insert(string table, Dictionary<string, object?> row, string? skip = null)
        {
            var columns = row.Keys.Where(c => c != skip).ToArray();
            return Command($"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})", columns);
        }

        private DbCommand Command(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var p in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + p;
                command.Parameters.Add(parameter);
            }
            return command;
        }

        private int Run(DbCommand command, DbTransaction tx, Dictionary<string, object?> row, params (string Column, object? Value)[] overrides)
        {
            command.Transaction = tx;
            foreach (DbParameter p in command.Parameters)
            {
                var name = p.ParameterName[1..];
                var value = row.GetValueOrDefault(name);
                foreach (var (column, v) in overrides) if (column == name) value = v;
                p.Value = value ?? DBNull.Value;
            }
            // Prepared on first use, once the parameters carry values (Npgsql infers their types from them).
            if (_prepared.Add(command)) command.Prepare();
            return command.ExecuteNonQuery();
        }

        public void Dispose()
        {
            foreach (var c in new[] { _insertInstance, _insertBookmark, _insertJournal, _insertTask, _updateInstance, _deleteBookmark, _updateTask }) c.Dispose();
        }
    }
}
