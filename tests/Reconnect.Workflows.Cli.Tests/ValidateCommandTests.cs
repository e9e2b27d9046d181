using System.Text.RegularExpressions;
using Reconnect.Workflows.Cli.Tests.Support;
using static Reconnect.Workflows.Cli.Tests.Support.ElsaWorkflow;

namespace Reconnect.Workflows.Cli.Tests;

/// <summary><c>validate &lt;files…&gt;</c> (SPEC §4): exit 0 when all are valid, else 1; one line per problem.</summary>
public sealed partial class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [GeneratedRegex(@"^(?<file>.+): activity '(?<id>[^']+)' \((?<type>[^)]+)\): (?<message>.+)$")]
    private static partial Regex ProblemLine();

    private static ElsaWorkflow HelloWorld(string id = "hello") =>
        new ElsaWorkflow(id).Start().WriteLine("say", "Hello").Finish("done").Chain("start", "say", "done");

    /// <summary>Exactly one stdout line, of the form <c>file: activity '&lt;id&gt;' (&lt;type&gt;): message</c>; returns the message.</summary>
    private static string AssertSingleProblem(CliResult result, string file, string activityId, string activityType)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Lines);
        var match = ProblemLine().Match(line);
        Assert.True(match.Success, $"not in the form `file: activity '<id>' (<type>): message`: {line}");
        Assert.Equal(file, match.Groups["file"].Value);
        Assert.Equal(activityId, match.Groups["id"].Value);
        Assert.Equal(activityType, match.Groups["type"].Value);
        return match.Groups["message"].Value;
    }

    [Fact]
    public async Task Validate_SeveralValidFiles_ExitsZeroAndPrintsNothing()
    {
        var hello = _dir.Write("hello.json", HelloWorld());
        var timers = _dir.Write("timers.json", new ElsaWorkflow("timers").Start().Delay("wait", "P2D").StartAt("at", "2027-07-01T09:00:00Z")
            .WriteLine("say", "later").Chain("start", "wait", "at", "say"));

        var result = await CliRunner.RunAsync("validate", hello, timers, Repo.Sample("follow-up-timers.json"), Repo.Corpus("BasicWorkflows__hello-world.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Lines);
    }

    [Fact]
    public async Task Validate_UnknownElsaType_ReportsOneLineNamingTheType()
    {
        var file = _dir.Write("http.json", new ElsaWorkflow().Start()
            .Activity("http", "Elsa.BulkDispatchWorkflows", "BulkDispatchWorkflows1", ("path", Lit("/referrals")))
            .WriteLine("say", "hi").Chain("start", "http", "say"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "http", "Elsa.BulkDispatchWorkflows");
        Assert.Contains("'Elsa.BulkDispatchWorkflows'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnknownNonElsaType_ReportsOneLineNamingTheType()
    {
        var file = _dir.Write("custom.json", new ElsaWorkflow().Start().Activity("x", "Acme.DoThings").Chain("start", "x"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "x", "Acme.DoThings");
        Assert.Contains("'Acme.DoThings'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DanglingConnection_ReportsOneLineOnTheSourceActivity()
    {
        var file = _dir.Write("dangling.json", HelloWorld().Connect("say", "ghost"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "say", "Elsa.WriteLine");
        Assert.Contains("'ghost'", message, StringComparison.Ordinal);
        Assert.Contains("does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ConnectionFromUnknownPort_ReportsOneLine()
    {
        var file = _dir.Write("port.json", new ElsaWorkflow().Start().Delay("wait", "P1D").WriteLine("say", "hi")
            .Connect("start", "wait").Connect("wait", "say", port: "Elapsed"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "wait", "Elsa.Delay");
        Assert.Contains("'Elapsed'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnreachableActivity_ReportsOneLineOnThatActivity()
    {
        var file = _dir.Write("island.json", HelloWorld().WriteLine("island", "nobody gets here"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "island", "Elsa.WriteLine");
        Assert.Contains("cannot be reached", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Elsa.Delay", "timeSpan")]
    [InlineData("Elsa.Event", "eventName")]
    [InlineData("Elsa.RunTask", "taskName")]
    [InlineData("Elsa.FlowDecision", "condition")]
    public async Task Validate_MissingRequiredInput_ReportsOneLineNamingTheInput(string type, string input)
    {
        var file = _dir.Write("missing.json", new ElsaWorkflow().Start().Activity("a", type).Chain("start", "a"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "a", type);
        Assert.Contains($"required input '{input}' is missing", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_JavaScriptThatDoesNotParse_ReportsOneLineNamingTheInput()
    {
        var file = _dir.Write("js.json", new ElsaWorkflow().Start().Decision("check", "1 +* (").WriteLine("yes", "yes")
            .Connect("start", "check").Connect("check", "yes", "True"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "check", "Elsa.FlowDecision");
        Assert.Contains("condition", message, StringComparison.Ordinal);
        Assert.Contains("does not parse", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_LoopWithNoWaitingActivityAndNoExit_ReportsOneLine()
    {
        var file = _dir.Write("loop.json", new ElsaWorkflow().Start().WriteLine("a", "a").WriteLine("b", "b")
            .Chain("start", "a", "b", "a"));

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "a", "Elsa.WriteLine");
        Assert.Contains("loop", message, StringComparison.Ordinal);
        Assert.Contains("no waiting activity", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_LoopThroughDelay_IsValid()
    {
        var file = _dir.Write("loop-delay.json", new ElsaWorkflow().Start().WriteLine("a", "a").Delay("wait", "P1D")
            .Chain("start", "a", "wait", "a"));

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Lines);
    }

    [Fact]
    public async Task Validate_LoopWithExitButNoWaitingActivity_WarnsOnStderrAndExitsZero()
    {
        var file = _dir.Write("loop-exit.json", new ElsaWorkflow().Start().Decision("again", "false").WriteLine("a", "a")
            .Connect("start", "again").Connect("again", "a", "True").Connect("a", "again"));

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Lines);
        var warning = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"{file}: warning: ", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FileThatIsNotJson_ReportsWorkflowLineAndExitsOne()
    {
        var file = _dir.Write("garbage.json", "this is { not json");

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Lines);
        Assert.StartsWith($"{file}: workflow: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_JsonWithoutRoot_ReportsWorkflowLineAndExitsOne()
    {
        var file = _dir.Write("no-root.json", """{ "id": "x", "definitionId": "x" }""");

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Lines);
        Assert.StartsWith($"{file}: workflow: ", line, StringComparison.Ordinal);
        Assert.Contains("root", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_MissingFile_ReportsWorkflowLineAndExitsOne()
    {
        var file = _dir.PathOf("does-not-exist.json");

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Lines);
        Assert.StartsWith($"{file}: workflow: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BadCronCorpusFile_IsRejectedNamingTheCronActivity()
    {
        var file = Repo.Corpus("ImportAndPublish__bad-cron-expression.json");

        var result = await CliRunner.RunAsync("validate", file);

        var message = AssertSingleProblem(result, file, "13658e4b3bfafaaf", "Elsa.Cron");
        Assert.Contains("BadCronExpression", message, StringComparison.Ordinal);
        Assert.Contains("cron", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValidAndInvalidFiles_ReportsOnlyTheInvalidOneAndExitsOne()
    {
        var good = _dir.Write("good.json", HelloWorld());
        var bad = _dir.Write("bad.json", HelloWorld().WriteLine("island", "x"));
        var alsoGood = _dir.Write("also-good.json", HelloWorld("other"));

        var result = await CliRunner.RunAsync("validate", good, bad, alsoGood);

        var message = AssertSingleProblem(result, bad, "island", "Elsa.WriteLine");
        Assert.Contains("cannot be reached", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SeveralProblemsInOneFile_PrintsOneLinePerProblem()
    {
        var file = _dir.Write("many.json", new ElsaWorkflow().Start()
            .Activity("http", "Elsa.BulkDispatchWorkflows")
            .Activity("wait", "Elsa.Delay")
            .WriteLine("island", "x")
            .Chain("start", "http").Chain("start", "wait"));

        var result = await CliRunner.RunAsync("validate", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(3, result.Lines.Count);
        Assert.All(result.Lines, l => Assert.Matches(ProblemLine(), l));
        var ids = result.Lines.Select(l => ProblemLine().Match(l).Groups["id"].Value).OrderBy(x => x, StringComparer.Ordinal);
        Assert.Equal(["http", "island", "wait"], ids);
    }

    [Fact]
    public async Task Validate_ProblemsInTwoFiles_PrefixesEachLineWithItsFile()
    {
        var first = _dir.Write("first.json", HelloWorld().WriteLine("island", "x"));
        var second = _dir.Write("second.json", "[]");

        var result = await CliRunner.RunAsync("validate", first, second);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(2, result.Lines.Count);
        Assert.StartsWith($"{first}: activity 'island' (Elsa.WriteLine): ", result.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{second}: workflow: ", result.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_NoFiles_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("validate");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.NotEmpty(result.ErrorLines);
    }
}
