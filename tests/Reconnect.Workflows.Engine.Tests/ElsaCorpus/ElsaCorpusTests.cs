using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Tests.ElsaCorpus;

/// <summary>
/// The 35 workflows from Elsa 3's own test suites (testdata/elsa-samples/corpus, a copy of ../shared/elsa-samples) must import and run here as they
/// run in Elsa: the same WriteLine lines and final status. expectations.json records what Elsa's tests assert (or,
/// where Elsa only imports a file, what running it gives), with the Elsa test it comes from.
/// </summary>
public class ElsaCorpusTests
{
    private static readonly JsonObject Expectations =
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "ElsaCorpus", "expectations.json")))!;

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Paths.ElsaSamples, "corpus"), "*.json").Order()) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void Corpus_HasAnExpectationForEveryFile()
    {
        var files = Directory.GetFiles(Path.Combine(Paths.ElsaSamples, "corpus"), "*.json").Select(Path.GetFileName).ToList();
        Assert.Equal(35, files.Count);
        Assert.Equal(files.Order(), Expectations.Select(p => p.Key).Order());
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void CorpusFile_RunsAsInElsa(string file)
    {
        var expected = Expectations[file]!.AsObject();
        var definition = WorkflowJson.ParseFile(Path.Combine(Paths.ElsaSamples, "corpus", file));
        var validation = new WorkflowValidator(ActivityRegistry.CreateDefault(), new ExpressionEvaluator()).Validate(definition);
        var finalStatus = expected["finalStatus"]!.GetValue<string>();

        if (finalStatus == "RejectedOnValidation")
        {
            var error = Assert.Single(validation.Errors);
            Assert.Equal("Elsa.Cron", error.ActivityType);
            Assert.Contains("BadCronExpression", error.Message);
            return;
        }
        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));

        var run = new TestRun(definition);
        run.Start(expected["input"] as JsonObject);

        if (expected["firstRun"] is JsonObject firstRun)
        {
            AssertLines(firstRun["lines"]!.AsArray(), firstRun["ordered"]?.GetValue<bool>() ?? true, run.Lines);
            Assert.Equal(firstRun["status"]!.GetValue<string>(), run.State.Status.ToString());
            if (firstRun["bookmarks"] is JsonArray bookmarks)
                Assert.Equal(bookmarks.Select(b => b!.GetValue<string>()).Order(), run.State.Bookmarks.Select(b => b.ActivityId).Order());
        }

        // Then let time pass: fire timers in due order until nothing waits (Elsa's tests resume bookmarks until the end).
        for (var i = 0; i < 50 && run.State.Status == WorkflowStatus.Suspended; i++)
        {
            var timer = run.State.Bookmarks.Where(b => b.IsTimer).OrderBy(b => b.DueAt).FirstOrDefault();
            if (timer is null) break;
            run.Now = timer.DueAt!.Value;
            run.Resume(timer);
        }

        AssertLines(expected["expectedLines"]!.AsArray(), expected["ordered"]?.GetValue<bool>() ?? true, run.Lines);
        var status = expected["afterResume"]?["status"]?.GetValue<string>() ?? (finalStatus == "Suspended" ? "Finished" : finalStatus);
        Assert.Equal(status, run.State.Status.ToString());

        if (expected["finalVariables"] is JsonObject variables)
            foreach (var (name, value) in variables)
                Assert.True(JsonNode.DeepEquals(value, run.State.Variables[name]), $"variable {name}: {run.State.Variables[name]?.ToJsonString()}");
        if (expected["activityExecutionCounts"] is JsonObject counts)
            foreach (var (activity, count) in counts)
                Assert.Equal(count!.GetValue<int>(), run.State.Flow.ExecutionCounts.GetValueOrDefault(activity));
        if (expected["correlationId"] is JsonValue correlation)
            Assert.Equal(correlation.GetValue<string>(), run.State.CorrelationId);
    }

    private static void AssertLines(JsonArray expected, bool ordered, IReadOnlyList<string> actual)
    {
        var lines = expected.Select(l => l!.GetValue<string>()).ToList();
        if (ordered) Assert.Equal(lines, actual);
        else Assert.Equal(lines.Order(), actual.Order());
    }
}
