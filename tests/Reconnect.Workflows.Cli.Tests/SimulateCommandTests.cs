using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Reconnect.Workflows.Cli.Tests.Support;
using static Reconnect.Workflows.Cli.Tests.Support.CliResult;
using static Reconnect.Workflows.Cli.Tests.Support.ElsaWorkflow;

namespace Reconnect.Workflows.Cli.Tests;

/// <summary><c>simulate &lt;file&gt; [--input] [--start] [--answers] [--until]</c> (SPEC §4).</summary>
public sealed partial class SimulateCommandTests : IDisposable
{
    private const string Start = "2027-01-01T09:00:00Z";
    private static readonly DateTimeOffset StartAt = DateTimeOffset.Parse(Start, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] SpecKinds =
    [
        "started", "activity-executed", "bookmark-created", "timer-fired", "task-created", "task-completed",
        "event-received", "log", "finished", "faulted",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoWithOffset();

    private string Answers(string json) => _dir.Write("answers-" + Guid.NewGuid().ToString("N") + ".json", json);

    /// <summary>start → say → wait (P2D) → task (RunTask) → bye → done: every kind but event-received and faulted, none outside the spec's list.</summary>
    private string EveryDayKinds() => _dir.Write("kinds.json", new ElsaWorkflow("kinds").Start()
        .WriteLine("say", "Hello").Delay("wait", "P2D").RunTask("task", "Check in").WriteLine("bye", "Bye").Finish("done")
        .Chain("start", "say", "wait", "task", "bye", "done"));

    [Fact]
    public async Task Simulate_EachLine_IsAJsonObjectWithExactlyTheFiveKeys()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.NotEmpty(result.Lines);
        foreach (var line in result.Lines)
        {
            var node = JsonNode.Parse(line);
            var obj = Assert.IsType<JsonObject>(node);
            Assert.Equal(["activityId", "activityType", "at", "detail", "kind"], obj.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Simulate_AtValues_AreIso8601WithOffsetAndNeverGoBack()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        var previous = DateTimeOffset.MinValue;
        foreach (var e in result.Events)
        {
            Assert.Matches(IsoWithOffset(), (string)e["at"]!);
            Assert.True(At(e) >= previous, $"'at' went back: {e.ToJsonString()}");
            previous = At(e);
        }
    }

    [Fact]
    public async Task Simulate_Kinds_AreFromTheSpecListAndStartedFirstFinishedLast()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        var kinds = result.Events.Select(Kind).ToList();
        Assert.All(kinds, k => Assert.Contains(k, SpecKinds));
        Assert.Equal("started", kinds[0]);
        Assert.Equal("finished", kinds[^1]);
        Assert.Single(kinds, k => k == "started");
        Assert.Single(kinds, k => k == "finished");
        foreach (var expected in new[] { "activity-executed", "bookmark-created", "timer-fired", "task-created", "task-completed", "log" })
            Assert.Contains(expected, kinds);
    }

    [Fact]
    public async Task Simulate_ActivityLines_NameTheActivityAndItsType()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        var executed = result.OfKind("activity-executed");
        Assert.Equal(["start", "say", "wait", "task", "bye", "done"], executed.Select(e => ActivityId(e)!));
        Assert.Equal(["Elsa.Start", "Elsa.WriteLine", "Elsa.Delay", "Elsa.RunTask", "Elsa.WriteLine", "Elsa.Finish"], executed.Select(e => (string)e["activityType"]!));
        var started = result.OfKind("started").Single();
        Assert.Null(started["activityId"]);
        Assert.Equal("kinds", (string)started["detail"]!["definitionId"]!);
    }

    [Fact]
    public async Task Simulate_TimerBookmark_CarriesDueAndFiresThen()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        var bookmark = Assert.Single(result.OfKind("bookmark-created"), e => ActivityId(e) == "wait");
        var due = DateTimeOffset.Parse((string)bookmark["detail"]!["due"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(StartAt.AddDays(2), due);
        Assert.Equal(StartAt, At(bookmark));
        var fired = Assert.Single(result.OfKind("timer-fired"));
        Assert.Equal("wait", ActivityId(fired));
        Assert.Equal(due, At(fired));
    }

    [Fact]
    public async Task Simulate_WriteLine_PrintsLogLinesWithTheText()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start);

        Assert.Equal(["Hello", "Bye"], result.Logs);
        Assert.All(result.OfKind("log"), e => Assert.Equal("Elsa.WriteLine", (string)e["activityType"]!));
    }

    [Fact]
    public async Task Simulate_TimersSixMonthsApart_JumpTheClockToEachDueTime()
    {
        // 1 Jan → StartAt 1 Jul (6 months) → Delay 184 days (1 Jan 2028): the fake clock jumps, nothing sleeps.
        var file = _dir.Write("long.json", new ElsaWorkflow("long").Start()
            .StartAt("july", "2027-07-01T09:00:00Z").WriteLine("midyear", "half a year later")
            .Delay("wait", "P184D").WriteLine("newyear", "a year later").Finish("done")
            .Chain("start", "july", "midyear", "wait", "newyear", "done"));
        var july = new DateTimeOffset(2027, 7, 1, 9, 0, 0, TimeSpan.Zero);
        var newYear = new DateTimeOffset(2028, 1, 1, 9, 0, 0, TimeSpan.Zero);

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        var fired = result.OfKind("timer-fired");
        Assert.Equal(["july", "wait"], fired.Select(e => ActivityId(e)!));
        Assert.Equal([july, newYear], fired.Select(At));
        Assert.Equal([july, newYear], fired.Select(e => DateTimeOffset.Parse((string)e["detail"]!["due"]!, System.Globalization.CultureInfo.InvariantCulture)));
        var logs = result.OfKind("log");
        Assert.Equal([july, newYear], logs.Select(At));
        Assert.Equal(newYear, At(result.OfKind("finished").Single()));
        Assert.Equal(StartAt, At(result.Events[0]));
    }

    [Fact]
    public async Task Simulate_StartOption_SetsTheFirstAt()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", "2031-03-05T10:15:00+01:00");

        var first = result.Events[0];
        Assert.Equal("started", Kind(first));
        Assert.Equal(new DateTimeOffset(2031, 3, 5, 9, 15, 0, TimeSpan.Zero), At(first));
    }

    [Fact]
    public async Task Simulate_NoStartOption_StartsNow()
    {
        var before = DateTimeOffset.UtcNow;
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds());
        var after = DateTimeOffset.UtcNow;

        var first = At(result.Events[0]);
        Assert.InRange(first, before.AddSeconds(-1), after.AddSeconds(1));
    }

    private string TenThenForty() => _dir.Write("until.json", new ElsaWorkflow("until").Start()
        .Delay("ten", "P10D").WriteLine("a", "after ten days")
        .Delay("forty", "P30D").WriteLine("b", "after forty days").Finish("done")
        .Chain("start", "ten", "a", "forty", "b", "done"));

    [Theory]
    [InlineData("P20D")]
    [InlineData("2027-01-21T09:00:00Z")]
    [InlineData("20.00:00:00")]
    public async Task Simulate_Until_StopsBeforeLaterTimers(string until)
    {
        var result = await CliRunner.RunAsync("simulate", TenThenForty(), "--start", Start, "--until", until);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["after ten days"], result.Logs);
        Assert.Empty(result.OfKind("finished"));
        Assert.All(result.Events, e => Assert.True(At(e) <= StartAt.AddDays(20), e.ToJsonString()));
        var pending = Assert.Single(result.OfKind("bookmark-created"), e => ActivityId(e) == "forty");
        Assert.Equal(StartAt.AddDays(40), DateTimeOffset.Parse((string)pending["detail"]!["due"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Simulate_UntilExactlyAtADueTime_FiresThatTimer()
    {
        var result = await CliRunner.RunAsync("simulate", TenThenForty(), "--start", Start, "--until", "P40D");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["after ten days", "after forty days"], result.Logs);
        Assert.Equal(StartAt.AddDays(40), At(result.OfKind("finished").Single()));
    }

    [Theory]
    [InlineData("'Hello ' + getInput('name')")]
    [InlineData("'Hello ' + getName()")]
    [InlineData("'Hello ' + input.name")]
    public async Task Simulate_Input_ReachesJavaScriptExpressions(string script)
    {
        var file = _dir.Write("input.json", new ElsaWorkflow("input").Start().WriteLineJs("greet", script).Chain("start", "greet"));

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--input", """{"name": "Ada"}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["Hello Ada"], result.Logs);
    }

    [Fact]
    public async Task Simulate_InputFromFile_ReachesJavaScriptExpressions()
    {
        var file = _dir.Write("input.json", new ElsaWorkflow("input").Start().WriteLineJs("greet", "'Hello ' + getInput('name')").Chain("start", "greet"));
        var input = _dir.Write("input-values.json", """{"name": "Grace"}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--input", "@" + input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["Hello Grace"], result.Logs);
    }

    [Fact]
    public async Task Simulate_InputFromMissingFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--input", "@" + _dir.PathOf("nothing.json"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.StartsWith("error: ", result.ErrorLines.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_InputDrivesADecision()
    {
        var file = _dir.Write("decide.json", new ElsaWorkflow("decide").Start().Decision("urgent", "getInput('priority') > 3")
            .WriteLine("fast", "fast track").WriteLine("slow", "normal track")
            .Connect("start", "urgent").Connect("urgent", "fast", "True").Connect("urgent", "slow", "False"));

        var high = await CliRunner.RunAsync("simulate", file, "--start", Start, "--input", """{"priority": 5}""");
        var low = await CliRunner.RunAsync("simulate", file, "--start", Start, "--input", """{"priority": 1}""");

        Assert.Equal(["fast track"], high.Logs);
        Assert.Equal(["normal track"], low.Logs);
    }

    // --- answers: tasks ---

    /// <summary>start → review (Approve | Reject) → a log line per outcome → finish.</summary>
    private string ReviewWorkflow() => _dir.Write("review.json", new ElsaWorkflow("review").Start()
        .Activity("review", ChoiceTaskActivity.TypeName, "Review referral", ("title", Lit("Review the referral")))
        .WriteLine("approved", "approved").WriteLine("rejected", "rejected").Finish("done1").Finish("done2")
        .Connect("start", "review").Connect("review", "approved", "Approve").Connect("review", "rejected", "Reject")
        .Chain("approved", "done1").Chain("rejected", "done2"));

    [Fact]
    public async Task Simulate_TaskAnsweredByActivityId_TakesThatOutcome()
    {
        var answers = Answers("""{"tasks": {"review": "Reject"}}""");

        var result = await CliRunner.RunAsync(CliRunner.RegistryWithChoiceTask(), "simulate", ReviewWorkflow(), "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["rejected"], result.Logs);
        var completed = Assert.Single(result.OfKind("task-completed"));
        Assert.Equal("review", ActivityId(completed));
        Assert.Equal("Reject", (string)completed["detail"]!["input"]!["outcome"]!);
        var executed = Assert.Single(result.OfKind("activity-executed"), e => ActivityId(e) == "review");
        Assert.Equal(["Reject"], executed["detail"]!["outcomes"]!.AsArray().Select(x => (string)x!));
    }

    [Fact]
    public async Task Simulate_TaskAnsweredByName_TakesThatOutcome()
    {
        var answers = Answers("""{"tasks": {"Review referral": "Reject"}}""");

        var result = await CliRunner.RunAsync(CliRunner.RegistryWithChoiceTask(), "simulate", ReviewWorkflow(), "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["rejected"], result.Logs);
    }

    [Fact]
    public async Task Simulate_UnansweredTask_TakesItsFirstOutcome()
    {
        var result = await CliRunner.RunAsync(CliRunner.RegistryWithChoiceTask(), "simulate", ReviewWorkflow(), "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["approved"], result.Logs);
        var created = Assert.Single(result.OfKind("task-created"));
        Assert.Equal("Review the referral", (string)created["detail"]!["title"]!);
        Assert.Equal(["Approve", "Reject", "Again"], created["detail"]!["outcomes"]!.AsArray().Select(x => (string)x!));
        Assert.Equal("Approve", (string)result.OfKind("task-completed").Single()["detail"]!["input"]!["outcome"]!);
    }

    [Fact]
    public async Task Simulate_TaskAnswerList_GivesOneOutcomePerVisit()
    {
        // review → Again → "again" → review … → Approve → "approved" → done
        var file = _dir.Write("visits.json", new ElsaWorkflow("visits").Start()
            .Activity("review", ChoiceTaskActivity.TypeName, "Review", ("title", Lit("Review")))
            .WriteLine("again", "again").WriteLine("approved", "approved").Finish("done")
            .Connect("start", "review").Connect("review", "again", "Again").Connect("again", "review")
            .Connect("review", "approved", "Approve").Chain("approved", "done"));
        var answers = Answers("""{"tasks": {"review": ["Again", "Again", "Approve"]}}""");

        var result = await CliRunner.RunAsync(CliRunner.RegistryWithChoiceTask(), "simulate", file, "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["again", "again", "approved"], result.Logs);
        Assert.Equal(3, result.OfKind("task-created").Count);
        Assert.Equal(["Again", "Again", "Approve"], result.OfKind("task-completed").Select(e => (string)e["detail"]!["input"]!["outcome"]!));
        Assert.Equal("finished", Kind(result.Events[^1]));
    }

    [Fact]
    public async Task Simulate_RunTaskAnswerList_CompletesEachVisitWithDone()
    {
        // Elsa.RunTask only has Done: a list of Done per visit, round a loop closed by a Delay.
        var file = _dir.Write("runtask-visits.json", new ElsaWorkflow("rt").Start()
            .RunTask("task", "Call the client", "Call").WriteLine("called", "called").Delay("wait", "P1D")
            .Chain("start", "task", "called", "wait", "task"));
        var answers = Answers("""{"tasks": {"Call": ["Done", "Done", "Done"]}}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--answers", answers, "--until", "P2D");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["called", "called", "called"], result.Logs);
        Assert.All(result.OfKind("task-completed"), e => Assert.Equal("Done", (string)e["detail"]!["input"]!["outcome"]!));
        Assert.Equal([StartAt, StartAt.AddDays(1), StartAt.AddDays(2)], result.OfKind("task-completed").Select(At));
    }

    [Fact]
    public async Task Simulate_AnswerThatIsNotAnOutcome_ExitsOneWithAClearMessage()
    {
        var file = _dir.Write("runtask.json", new ElsaWorkflow("rt").Start().RunTask("task", "Call the client").Chain("start", "task"));
        var answers = Answers("""{"tasks": {"task": "Approve"}}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("'Approve'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Done", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_TaskWithDueDate_IsAnsweredAtItsDueTime()
    {
        var file = _dir.Write("due.json", new ElsaWorkflow("due").Start()
            .Activity("review", ChoiceTaskActivity.TypeName, null, ("title", Lit("Review")), ("due", Lit("2027-01-08T09:00:00Z", "DateTimeOffset")))
            .WriteLine("approved", "approved").Connect("start", "review").Connect("review", "approved", "Approve"));

        var result = await CliRunner.RunAsync(CliRunner.RegistryWithChoiceTask(), "simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(StartAt.AddDays(7), At(result.OfKind("task-completed").Single()));
        Assert.Equal(StartAt.AddDays(7), At(result.OfKind("finished").Single()));
    }

    // --- answers: events ---

    /// <summary>fork → [paid (Event) → "paid" → finish] and [timeout (Delay P5D) → "timed out" → finish].</summary>
    private string PaymentWorkflow() => _dir.Write("payment.json", new ElsaWorkflow("payment").Start().Fork("fork", "Pay", "Timeout")
        .Event("paid", "payment-received").WriteLineJs("sayPaid", "'paid ' + getLastResult().amount").Finish("done1")
        .Delay("timeout", "P5D").WriteLine("sayLate", "timed out").Finish("done2")
        .Connect("start", "fork").Connect("fork", "paid", "Pay").Connect("fork", "timeout", "Timeout")
        .Chain("paid", "sayPaid", "done1").Chain("timeout", "sayLate", "done2"));

    [Fact]
    public async Task Simulate_EventAfterThreeDays_ResumesTheEventActivityThen()
    {
        var answers = Answers("""{"events": [{"after": "P3D", "name": "payment-received", "payload": {"amount": 42}}]}""");

        var result = await CliRunner.RunAsync("simulate", PaymentWorkflow(), "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        var received = Assert.Single(result.OfKind("event-received"));
        Assert.Equal("paid", ActivityId(received));
        Assert.Equal("Elsa.Event", (string)received["activityType"]!);
        Assert.Equal(StartAt.AddDays(3), At(received));
        Assert.Equal("payment-received", (string)received["detail"]!["name"]!);
        Assert.Equal(42, (int)received["detail"]!["input"]!["amount"]!);
        Assert.Equal(["paid 42"], result.Logs);
        Assert.Empty(result.OfKind("timer-fired"));
        Assert.Equal(StartAt.AddDays(3), At(result.OfKind("finished").Single()));
    }

    [Fact]
    public async Task Simulate_EventAfterTheTimer_LetsTheTimerWin()
    {
        var answers = Answers("""{"events": [{"after": "P6D", "name": "payment-received"}]}""");

        var result = await CliRunner.RunAsync("simulate", PaymentWorkflow(), "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["timed out"], result.Logs);
        Assert.Equal(StartAt.AddDays(5), At(result.OfKind("finished").Single()));
    }

    [Fact]
    public async Task Simulate_EventWithNoMatchingBookmark_PrintsEventReceivedWithMatchedZero()
    {
        var file = _dir.Write("nobody.json", new ElsaWorkflow("nobody").Start().Delay("wait", "P2D").WriteLine("say", "done waiting")
            .Chain("start", "wait", "say"));
        var answers = Answers("""{"events": [{"after": "P1D", "name": "nobody-listens"}]}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        var received = Assert.Single(result.OfKind("event-received"));
        Assert.Equal(StartAt.AddDays(1), At(received));
        Assert.Null(received["activityId"]);
        Assert.Null(received["activityType"]);
        Assert.Equal("nobody-listens", (string)received["detail"]!["name"]!);
        Assert.Equal(0, (int)received["detail"]!["matched"]!);
        Assert.Equal(["done waiting"], result.Logs);
        Assert.Equal("finished", Kind(result.Events[^1]));
        Assert.Equal(StartAt.AddDays(2), At(result.Events[^1]));
    }

    [Fact]
    public async Task Simulate_EventAfterCorrelationIdChanged_StillReachesTheInstance()
    {
        // The instance starts with --correlation-id ref-1 and switches to ref-2 (Elsa.Correlate) after a timer; the
        // simulated event is for the instance, so it must follow its current correlation id.
        var file = _dir.Write("correlate.json", new ElsaWorkflow("correlate").Start().Delay("wait", "P1D")
            .Activity("corr", "Elsa.Correlate", null, ("correlationId", Lit("ref-2")))
            .Event("paid", "paid").WriteLine("say", "paid").Chain("start", "wait", "corr", "paid", "say"));
        var answers = Answers("""{"events": [{"after": "P2D", "name": "paid"}]}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--correlation-id", "ref-1", "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        var received = Assert.Single(result.OfKind("event-received"));
        Assert.Equal("paid", ActivityId(received));
        Assert.Equal(["paid"], result.Logs);
        Assert.Equal(StartAt.AddDays(2), At(result.OfKind("finished").Single()));
    }

    [Fact]
    public async Task Simulate_EventsAfterTheWorkflowFinished_AreNotDeliveredAndFinishedStaysLast()
    {
        var file = _dir.Write("first-wins.json", new ElsaWorkflow("first-wins").Start().Event("paid", "paid").Finish("done")
            .Chain("start", "paid", "done"));
        var answers = Answers("""{"events": [{"after": "P1D", "name": "paid"}, {"after": "P1D", "name": "too-late"}, {"after": "P2D", "name": "much-later"}]}""");

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start, "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("finished", Kind(result.Events[^1]));
        var received = Assert.Single(result.OfKind("event-received"));
        Assert.Equal("paid", ActivityId(received));
    }

    [Fact]
    public async Task Simulate_CorrelationIdOption_IsTheInstancesCorrelationId()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--correlation-id", "referral-7");

        Assert.Equal("referral-7", (string)result.OfKind("started").Single()["detail"]!["correlationId"]!);
    }

    [Fact]
    public async Task Simulate_SampleFollowUpTimers_RunsToTheFollowUp()
    {
        var result = await CliRunner.RunAsync("simulate", Repo.Sample("follow-up-timers.json"), "--start", "2027-01-01T00:00:00Z",
            "--input", """{"releaseDate": "2027-06-15"}""");

        Assert.True(result.ExitCode == 0, result.ToString());
        var fired = result.OfKind("timer-fired");
        Assert.Equal(["weekBefore", "releaseDay", "twoDaysAfter"], fired.Select(e => ActivityId(e)!));
        // 09:00 in London is 08:00 UTC in June (BST).
        Assert.Equal(
            [
                new DateTimeOffset(2027, 6, 8, 8, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 6, 15, 8, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2027, 6, 17, 8, 0, 0, TimeSpan.Zero),
            ],
            fired.Select(At));
        Assert.Equal(["confirmArrangements", "followUp"], result.OfKind("task-created").Select(e => ActivityId(e)!));
        var log = Assert.Single(result.Logs);
        Assert.Contains("2027-06-15", log, StringComparison.Ordinal);
        Assert.Equal(new DateTimeOffset(2027, 6, 17, 8, 0, 0, TimeSpan.Zero), At(result.OfKind("finished").Single()));
    }

    [Fact]
    public async Task Simulate_SampleFollowUpTimersWithConsentWithdrawn_StopsEarly()
    {
        var answers = Answers("""{"events": [{"after": "P10D", "name": "consent-withdrawn"}]}""");

        var result = await CliRunner.RunAsync("simulate", Repo.Sample("follow-up-timers.json"), "--start", "2027-01-01T00:00:00Z",
            "--input", """{"releaseDate": "2027-06-15"}""", "--answers", answers);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["Consent withdrawn: closing"], result.Logs);
        Assert.Empty(result.OfKind("timer-fired"));
        Assert.Equal(new DateTimeOffset(2027, 1, 11, 0, 0, 0, TimeSpan.Zero), At(result.OfKind("finished").Single()));
    }

    // --- faults and errors ---

    [Fact]
    public async Task Simulate_FaultingJavaScript_PrintsFaultedAndExitsOne()
    {
        var file = _dir.Write("fault.json", new ElsaWorkflow("fault").Start().WriteLineJs("boom", "throw new Error('kaboom')").WriteLine("after", "never")
            .Chain("start", "boom", "after"));

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 1, result.ToString());
        var faulted = Assert.Single(result.OfKind("faulted"));
        Assert.Equal("boom", ActivityId(faulted));
        Assert.Equal("Elsa.WriteLine", (string)faulted["activityType"]!);
        Assert.Contains("kaboom", (string)faulted["detail"]!["message"]!, StringComparison.Ordinal);
        Assert.Empty(result.Logs);
        Assert.Empty(result.OfKind("finished"));
        Assert.Equal("faulted", Kind(result.Events[^1]));
    }

    [Fact]
    public async Task Simulate_FaultWhileAnotherTaskIsOpen_ReportsTheFaultNotTheTask()
    {
        // Both tasks are answered at the start; answering the first faults the instance, so the second must not be tried.
        var file = _dir.Write("fault-tasks.json", new ElsaWorkflow("fault-tasks").Start().Fork("fork", "A", "B")
            .RunTask("first", "First").WriteLineJs("boom", "throw new Error('kaboom')")
            .RunTask("second", "Second").WriteLine("after", "after second")
            .Connect("start", "fork").Connect("fork", "first", "A").Connect("fork", "second", "B")
            .Chain("first", "boom").Chain("second", "after"));

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("faulted", Kind(result.Events[^1]));
        Assert.Equal("boom", ActivityId(result.Events[^1]));
        Assert.Empty(result.ErrorLines);
    }

    [Fact]
    public async Task Simulate_FaultAfterATimer_PrintsFaultedAtTheDueTime()
    {
        var file = _dir.Write("fault-later.json", new ElsaWorkflow("fault").Start().Delay("wait", "P3D").WriteLineJs("boom", "notDefined.x")
            .Chain("start", "wait", "boom"));

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 1, result.ToString());
        var faulted = Assert.Single(result.OfKind("faulted"));
        Assert.Equal(StartAt.AddDays(3), At(faulted));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("""{"tasks": ["a"]}""", "\"tasks\"")]
    [InlineData("""{"tasks": {"t": {"outcome": "x"}}}""", "'t'")]
    [InlineData("""{"events": {"name": "x"}}""", "\"events\"")]
    [InlineData("""{"events": ["x"]}""", "each event")]
    [InlineData("""{"events": [{"after": "P3D"}]}""", "no \"name\"")]
    [InlineData("""{"events": [{"after": "soon", "name": "x"}]}""", "'soon'")]
    [InlineData("""{"events": [{"after": "-P1D", "name": "x"}]}""", "'-P1D'")]
    public async Task Simulate_InvalidAnswersFile_ExitsTwoWithAClearMessage(string answers, string expected)
    {
        var path = Answers(answers);

        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--answers", path);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        var error = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: --answers {path}: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MissingAnswersFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--answers", _dir.PathOf("no-answers.json"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.StartsWith("error: ", result.ErrorLines.Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("next tuesday")]
    [InlineData("2027-13-45T00:00:00Z")]
    [InlineData("")]
    public async Task Simulate_BadStart_ExitsTwoNamingTheOption(string start)
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", start);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.Contains("--start", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_BadUntil_ExitsTwoNamingTheOption()
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--until", "whenever");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.Contains("--until", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"name\": ", "--input")]
    [InlineData("[1, 2]", "--input must be a JSON object")]
    public async Task Simulate_BadInput_ExitsTwoNamingTheOption(string input, string expected)
    {
        var result = await CliRunner.RunAsync("simulate", EveryDayKinds(), "--start", Start, "--input", input);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_MissingWorkflowFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("simulate", _dir.PathOf("missing.json"), "--start", Start);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Empty(result.Lines);
        Assert.StartsWith("error: ", result.ErrorLines.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_InvalidWorkflow_ExitsOneWithProblemsOnStderrAndRunsNothing()
    {
        var file = _dir.Write("invalid.json", new ElsaWorkflow("invalid").Start().Activity("http", "Elsa.BulkDispatchWorkflows").Chain("start", "http"));

        var result = await CliRunner.RunAsync("simulate", file, "--start", Start);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(result.Lines);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"{file}: activity 'http' (Elsa.BulkDispatchWorkflows): ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_NoFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("simulate");

        Assert.True(result.ExitCode == 2, result.ToString());
    }
}
