using System.Globalization;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;

namespace Reconnect.Workflows.Cli.Tests.Support;

internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> Lines { get; } = SplitLines(Stdout);

    public IReadOnlyList<string> ErrorLines { get; } = SplitLines(Stderr);

    /// <summary>The simulate output, one JSON object per line.</summary>
    public IReadOnlyList<JsonObject> Events => Lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    public IReadOnlyList<JsonObject> OfKind(string kind) => Events.Where(e => Kind(e) == kind).ToList();

    public IReadOnlyList<string> Logs => OfKind("log").Select(e => (string)e["detail"]!["text"]!).ToList();

    public static string Kind(JsonObject e) => (string)e["kind"]!;

    public static DateTimeOffset At(JsonObject e) => DateTimeOffset.Parse((string)e["at"]!, CultureInfo.InvariantCulture);

    public static string? ActivityId(JsonObject e) => (string?)e["activityId"];

    private static List<string> SplitLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(ActivityRegistry.CreateDefault(), args);

    public static async Task<CliResult> RunAsync(ActivityRegistry registry, params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exit = await new CliApp(registry, stdout, stderr).RunAsync(args);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The registry with the built-ins and the test-only task that has several outcomes.</summary>
    public static ActivityRegistry RegistryWithChoiceTask() => ActivityRegistry.CreateDefault().Add(new ChoiceTaskActivity());
}
