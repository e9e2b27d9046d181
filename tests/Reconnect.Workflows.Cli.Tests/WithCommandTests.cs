using Reconnect.Workflows.Cli.Tests.Support;

namespace Reconnect.Workflows.Cli.Tests;

/// <summary><c>validate</c> and <c>simulate</c> with <c>--with &lt;file…&gt;</c>: workflows given together call each other.</summary>
public sealed class WithCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Child = """
        {"definitionId": "follow-up-check", "name": "Follow-up check", "version": 1, "options": {"usableAsActivity": true},
         "inputs": [{"name": "Who", "type": "String"}], "outcomes": ["Reached"],
         "root": {"type": "Elsa.Sequence", "id": "cs", "activities": [
           {"type": "Elsa.WriteLine", "id": "cw", "text": {"typeName": "String", "expression": {"type": "JavaScript", "value": "'checking ' + getInput('Who')"}}},
           {"type": "Elsa.Delay", "id": "wait", "timeSpan": "P2D"},
           {"type": "Elsa.Complete", "id": "done", "outcomes": "Reached"}]}}
        """;

    private const string Parent = """
        {"definitionId": "parent", "name": "Parent", "version": 1,
         "root": {"type": "Elsa.Flowchart", "id": "f", "activities": [
           {"type": "FollowUpCheck", "id": "check", "who": {"typeName": "String", "expression": {"type": "Literal", "value": "Ann"}}},
           {"type": "Elsa.ExecuteWorkflow", "id": "again", "workflowDefinitionId": "follow-up-check", "waitForCompletion": true,
            "input": {"typeName": "Object", "expression": {"type": "Object", "value": "{\"Who\": \"Bob\"}"}}},
           {"type": "Elsa.WriteLine", "id": "end", "text": "all checked"}],
          "connections": [
            {"source": {"activity": "check", "port": "Reached"}, "target": {"activity": "again", "port": "In"}},
            {"source": {"activity": "again", "port": "Done"}, "target": {"activity": "end", "port": "In"}}]}}
        """;

    [Fact]
    public async Task Validate_WorkflowUsedAsActivityWithoutWith_NamesTheUnknownType()
    {
        var parent = _dir.Write("parent.json", Parent);

        var result = await CliRunner.RunAsync("validate", parent);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Lines, l => l.Contains("activity 'check' (FollowUpCheck)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_WithTheChild_ExitsZero()
    {
        var parent = _dir.Write("parent.json", Parent);
        var child = _dir.Write("child.json", Child);

        var result = await CliRunner.RunAsync("validate", parent, "--with", child);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Lines);
    }

    [Fact]
    public async Task Validate_BothGivenAsFiles_UseEachOther()
    {
        var result = await CliRunner.RunAsync("validate", _dir.Write("parent.json", Parent), _dir.Write("child.json", Child));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Simulate_WithTheChild_PrintsChildLinesWithTheirInstance()
    {
        var parent = _dir.Write("parent.json", Parent);
        var child = _dir.Write("child.json", Child);

        var result = await CliRunner.RunAsync("simulate", parent, "--start", "2027-01-04T09:00:00Z", "--with", child);

        Assert.True(result.ExitCode == 0, result.ToString());
        var events = result.Events;
        var logs = events.Where(e => e["kind"]!.GetValue<string>() == "log").ToList();
        Assert.Equal(["checking Ann", "checking Bob", "all checked"], logs.Select(e => e["detail"]!["text"]!.GetValue<string>()));
        var childInstances = logs.Take(2).Select(e => e["instanceId"]!.GetValue<string>()).ToList();
        Assert.NotEqual(childInstances[0], childInstances[1]);
        Assert.Null(logs[2]["instanceId"]);
        // Each child waited two days; the parent finished after both.
        var finished = events[^1];
        Assert.Equal("finished", finished["kind"]!.GetValue<string>());
        Assert.Null(finished["instanceId"]);
        Assert.StartsWith("2027-01-08", finished["at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Simulate_WithAnUnreadableFile_ExitsTwo()
    {
        var parent = _dir.Write("parent.json", Parent);

        var result = await CliRunner.RunAsync("simulate", parent, "--with", Path.Combine(_dir.Path, "missing.json"));

        Assert.Equal(2, result.ExitCode);
    }
}
