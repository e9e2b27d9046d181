using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Bench.Harness;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Tasks;

namespace Reconnect.Workflows.Bench.Scenarios;

/// <summary>
/// SPEC §11: "Inbox query with 100,000 open tasks: p95 ≤ 10 ms" on SQLite. A fresh database (migrations and WAL by
/// <see cref="DatabaseInitializer"/>, as the server) is seeded with plain SQL in big transactions: 100,000 open tasks over
/// 3 sites and 30 navigators (10 a site), 89% assigned to a navigator (a tenth of those Claimed), 10% in a site's navigator
/// queue, 1% in the managers' queue, due dates uniformly within ± 30 days of now. Then the API's own query
/// (<see cref="TaskInboxQuery.RunAsync"/>, a pooled context per call as the API takes one) is timed for random navigators:
/// the default inbox (their own open tasks and their site's queue, first page of 50), after a warm-up.
/// </summary>
public sealed class InboxScenario : IScenario
{
    public const int Tasks = 100_000;
    public const double GoalP95Ms = 10;
    private static readonly string[] Sites = ["LEI", "NHI", "WEI"];
    private static readonly string[] UserParameters = ["$id", "$name", "$site", "$user", "$norm"];
    private static readonly string[] TaskParameters = ["$id", "$instance", "$bookmark", "$due", "$status", "$site", "$assignee", "$role", "$subject", "$claimedBy", "$claimedAt", "$created"];

    public string Name => "inbox";

    public string Description => "a navigator's inbox query (own open tasks + site queue, page of 50) over 100,000 open tasks on SQLite: p95 <= 10 ms";

    public async Task<ScenarioResult> RunAsync(BenchOptions options, TextWriter log)
    {
        var queries = options.Quick ? 300 : 1_000;
        var warmup = options.Quick ? 50 : 200;
        var folder = Path.Combine(Path.GetTempPath(), "reconnect-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"inbox-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file }.ToString();
        var services = new ServiceCollection();
        services.AddReconnectPersistence(DatabaseProviders.Sqlite, connectionString);
        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            var now = DateTimeOffset.UtcNow;
            var random = new Random(20261125);
            var navigators = Enumerable.Range(0, 30).Select(i => (Id: $"nav-{i:D2}", Site: Sites[i % Sites.Length])).ToArray();

            var seed = Stopwatch.StartNew();
            await SeedAsync(connectionString, navigators, now, random);
            log.WriteLine($"    seeded {Format.Count(Tasks)} open tasks in {Format.Ms(seed.Elapsed)}");
            await using (var check = new SqliteConnection(connectionString))
            {
                await check.OpenAsync();
                await using var command = check.CreateCommand();
                // No ANALYZE: the server never runs it, so neither does the benchmark.
                command.CommandText = "EXPLAIN QUERY PLAN SELECT Id FROM Tasks WHERE Assignee = 'nav-00' AND Status = 'Open' AND DueAt IS NOT NULL ORDER BY DueAt, Id LIMIT 51";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) log.WriteLine($"    plan (mine):  {reader.GetString(3)}");
            }
            await using (var check = new SqliteConnection(connectionString))
            {
                await check.OpenAsync();
                await using var command = check.CreateCommand();
                command.CommandText = "EXPLAIN QUERY PLAN SELECT Id FROM Tasks WHERE Site = 'LEI' AND Assignee IS NULL AND AssigneeRole = 'Navigator' AND Status = 'Open' AND DueAt IS NOT NULL ORDER BY DueAt, Id LIMIT 51";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) log.WriteLine($"    plan (queue): {reader.GetString(3)}");
            }

            var contexts = provider.GetRequiredService<IDbContextFactory<ReconnectDbContext>>();
            var rows = 0L;
            async Task<double> OneAsync(TaskAssigneeFilter filter)
            {
                var (id, site) = navigators[random.Next(navigators.Length)];
                var sw = Stopwatch.StartNew();
                await using var db = await contexts.CreateDbContextAsync();
                var page = await TaskInboxQuery.RunAsync(db, new TaskInboxRequest
                {
                    Viewer = new TaskViewer(id, TaskViewerKind.Navigator, site),
                    Assignee = filter,
                    Now = now,
                    Page = 1,
                    PageSize = 50,
                });
                sw.Stop();
                rows += page.Items.Count;
                if (page.Items.Count != 50 || !page.HasMore) throw new InvalidOperationException($"expected a full first page, got {page.Items.Count}");
                return sw.Elapsed.TotalMilliseconds;
            }

            for (var i = 0; i < warmup; i++) await OneAsync(TaskAssigneeFilter.All);
            var inbox = new List<double>(queries);
            for (var i = 0; i < queries; i++) inbox.Add(await OneAsync(TaskAssigneeFilter.All));
            var mine = new List<double>(queries);
            for (var i = 0; i < queries; i++) mine.Add(await OneAsync(TaskAssigneeFilter.Me));

            var all = Summary(inbox);
            var me = Summary(mine);
            log.WriteLine($"    inbox (assignee=all: own + site queue) x{queries}: p50 {Ms(all.P50)}  p95 {Ms(all.P95)}  p99 {Ms(all.P99)}  max {Ms(all.Max)}");
            log.WriteLine($"    mine  (assignee=me)                    x{queries}: p50 {Ms(me.P50)}  p95 {Ms(me.P95)}  p99 {Ms(me.P99)}  max {Ms(me.Max)}");
            return new ScenarioResult(Name,
                [
                    new Figure("p50", Ms(all.P50)), new Figure("p95", Ms(all.P95)), new Figure("p99", Ms(all.P99)), new Figure("max", Ms(all.Max)),
                ],
                $"goal p95 <= {GoalP95Ms.ToString("0", CultureInfo.InvariantCulture)} ms",
                all.P95 <= GoalP95Ms,
                [$"assignee=me: p50 {Ms(me.P50)}, p95 {Ms(me.P95)}, p99 {Ms(me.P99)}, max {Ms(me.Max)}", $"{Format.Count(Tasks)} open tasks, 30 navigators, 3 sites, page 50, {warmup} warm-up queries"]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try { File.Delete(file + suffix); }
                catch (IOException) { /* left for the OS to clean */ }
            }
        }
    }

    private static async Task SeedAsync(string connectionString, (string Id, string Site)[] navigators, DateTimeOffset now, Random random)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync())
        {
            await using var users = connection.CreateCommand();
            users.Transaction = tx;
            users.CommandText = "INSERT INTO AspNetUsers (Id, DisplayName, Site, UserName, NormalizedUserName, EmailConfirmed, PhoneNumberConfirmed, TwoFactorEnabled, LockoutEnabled, AccessFailedCount) "
                + "VALUES ($id, $name, $site, $user, $norm, 1, 0, 0, 0, 0)";
            var p = UserParameters.Select(n => users.Parameters.Add(n, SqliteType.Text)).ToArray();
            foreach (var (id, site) in navigators)
            {
                p[0].Value = id; p[1].Value = $"Navigator {id}"; p[2].Value = site; p[3].Value = $"{id}@bench.test"; p[4].Value = $"{id}@BENCH.TEST".ToUpperInvariant();
                await users.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }

        const int batch = 25_000;
        for (var start = 0; start < Tasks; start += batch)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO Tasks (Id, InstanceId, BookmarkId, ActivityId, ActivityType, Title, Description, OutcomesJson, DueAt, Status, Site, Assignee, AssigneeRole, SubjectId, ClaimedBy, ClaimedAt, IsOverdue, CreatedAt) "
                + "VALUES ($id, $instance, $bookmark, 'firstContact', 'Reconnect.NavigatorTask', 'First contact', 'Make first contact and agree how you will support them.', '[\"Engaged\",\"Declined\",\"UnableToContact\"]', $due, $status, $site, $assignee, $role, $subject, $claimedBy, $claimedAt, 0, $created)";
            var q = TaskParameters.ToDictionary(n => n, n => insert.Parameters.Add(n, n is "$due" or "$claimedAt" or "$created" ? SqliteType.Integer : SqliteType.Text));
            insert.Prepare();
            for (var i = start; i < Math.Min(Tasks, start + batch); i++)
            {
                var due = now.AddMinutes(random.Next(-30 * 24 * 60, 30 * 24 * 60));
                var kind = random.Next(100);
                string site, role, status = "Open";
                object assignee = DBNull.Value, claimedBy = DBNull.Value, claimedAt = DBNull.Value;
                if (kind < 89)
                {
                    var nav = navigators[random.Next(navigators.Length)];
                    site = nav.Site; role = TaskAssigneeRoles.Navigator; assignee = nav.Id;
                    if (random.Next(10) == 0) { status = "Claimed"; claimedBy = nav.Id; claimedAt = now.AddDays(-random.Next(30)).UtcTicks; }
                }
                else
                {
                    site = Sites[random.Next(Sites.Length)];
                    role = kind < 99 ? TaskAssigneeRoles.Navigator : TaskAssigneeRoles.Manager;
                }
                q["$id"].Value = Guid.CreateVersion7().ToString("N");
                q["$instance"].Value = Guid.CreateVersion7().ToString();
                q["$bookmark"].Value = Guid.CreateVersion7().ToString("N");
                q["$due"].Value = due.UtcTicks;
                q["$status"].Value = status;
                q["$site"].Value = site;
                q["$assignee"].Value = assignee;
                q["$role"].Value = role;
                q["$subject"].Value = Guid.CreateVersion7().ToString("N");
                q["$claimedBy"].Value = claimedBy;
                q["$claimedAt"].Value = claimedAt;
                q["$created"].Value = due.AddDays(-14).UtcTicks;
                await insert.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
    }

    private readonly record struct Percentiles(double P50, double P95, double P99, double Max);

    private static Percentiles Summary(List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    private static string Ms(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
}
