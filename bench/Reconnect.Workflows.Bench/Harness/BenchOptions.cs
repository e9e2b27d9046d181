namespace Reconnect.Workflows.Bench.Harness;

/// <summary>What the command line asked for. Scenarios read their sizes from here.</summary>
public sealed record BenchOptions
{
    /// <summary>Instances per measured round on our engine.</summary>
    public int OursN { get; init; } = 20_000;

    /// <summary>Instances per measured round on WorkflowCore (it is much slower, so a smaller round takes as long).</summary>
    public int WorkflowCoreN { get; init; } = 5_000;

    /// <summary>Instances per measured round of the persisted (SQLite) scenarios: each is a durable commit, so far fewer than in memory.</summary>
    public int PersistedN { get; init; } = 5_000;

    public int WarmupRounds { get; init; } = 2;
    public int Rounds { get; init; } = 5;

    /// <summary>Concurrent callers driving our runtime (WorkflowCore runs its own consumers on the thread pool).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Longest a single WorkflowCore round may take before it is reported as incomplete.</summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public bool Quick { get; init; }

    /// <summary><c>--json</c>: besides the table, one JSON object per scenario per line.</summary>
    public bool Json { get; init; }

    /// <summary>Timers due in one minute for <c>timers-postgres</c> (SPEC §11: 10,000).</summary>
    public int TimersN { get; init; } = 10_000;

    /// <summary>Waiting instances for <c>server-memory</c> (SPEC §11: 100,000).</summary>
    public int MemoryN { get; init; } = 100_000;

    /// <summary>How many of those <c>server-memory</c> makes through the API (the rest are SQL copies).</summary>
    public int MemoryApiN { get; init; } = 2_000;

    /// <summary><c>referrals-api</c>: referrals created through the API by <see cref="ApiClients"/> clients (issue #18: 10,000).</summary>
    public int ReferralsN { get; init; } = 10_000;

    /// <summary><c>referrals-api</c>: concurrent HTTP clients (issue #18: 4).</summary>
    public int ApiClients { get; init; } = 4;

    /// <summary><c>referrals-api</c>: tasks completed through the API after the referrals were made.</summary>
    public int CompleteN { get; init; } = 3_000;

    /// <summary><c>referrals-api</c>: referrals in the database when the daily check runs (issue #18: 100,000).</summary>
    public int CheckN { get; init; } = 100_000;

    /// <summary>The built server the server scenarios start as a process.</summary>
    public string ServerDll { get; init; } = Engines.ServerNode.DefaultServerDll();

    /// <summary>An admin connection string to a PostgreSQL server (the scenario makes and drops its own database).</summary>
    public string? PostgresAdmin { get; init; } = Environment.GetEnvironmentVariable("RECONNECT_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;

    /// <summary>WorkflowCore's knobs (see <c>Engines/WorkflowCoreHost.Configure</c>); null keeps the harness's choice.</summary>
    public WorkflowCoreSettings WorkflowCore { get; init; } = new();

    public static BenchOptions Default => new();

    public static BenchOptions QuickDefaults => new()
    {
        OursN = 2_000, WorkflowCoreN = 500, PersistedN = 1_000, WarmupRounds = 1, Rounds = 3, Quick = true, RoundTimeout = TimeSpan.FromSeconds(60),
    };
}

/// <summary>The WorkflowCore options the harness sets. The defaults are the fastest found on a 2-core machine (bench/README.md).</summary>
public sealed record WorkflowCoreSettings
{
    /// <summary>How long a consumer sleeps when <see cref="MaxConcurrentWorkflows"/> items are in flight (longer by default).</summary>
    public TimeSpan IdleTime { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Workflows executed at once by the workflow consumer: WorkflowCore's default, 4 (2 and 16 were no faster).</summary>
    public int MaxConcurrentWorkflows { get; init; } = 4;

    /// <summary>
    /// How often the poller looks for runnable instances and unprocessed events (WorkflowCore's default: 10 s). Shorter
    /// (100 ms) made it slower: each poll re-queues every instance started but not yet run. 1 s bounds the wait of an
    /// event that met a locked instance (only the poller retries it) without that cost.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
