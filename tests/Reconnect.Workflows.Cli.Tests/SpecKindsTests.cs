using System.Text.Json.Nodes;

namespace Reconnect.Workflows.Cli.Tests;

public class SpecKindsTests
{
    private static readonly string[] SpecKinds =
        ["started", "activity-executed", "bookmark-created", "timer-fired", "task-created", "task-completed", "event-received", "log", "finished", "faulted"];

    [Fact]
    public async Task Simulate_FinishWithPendingListenerAndRetimedTimer_PrintsOnlySpecKinds()
    {
        // The sample finishes while its consent-withdrawn listener still waits (a bookmark removal in the journal).
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var app = new CliApp(Engine.Activities.ActivityRegistry.CreateDefault(), stdout, stderr);
        var sample = Path.Combine(FindRoot(), "samples", "follow-up-timers.json");

        var exit = await app.RunAsync(["simulate", sample, "--start", "2027-01-04T09:00:00Z", "--input", "{\"releaseDate\": \"2027-02-01\"}"]);

        Assert.Equal(0, exit);
        var kinds = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["kind"]!.GetValue<string>()).ToList();
        Assert.All(kinds, k => Assert.Contains(k, SpecKinds));
        Assert.Equal("finished", kinds[^1]);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
