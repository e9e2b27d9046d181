using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Simulation;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Cli;

/// <summary>
/// <c>validate &lt;files…&gt;</c> and <c>simulate &lt;file&gt;</c> (SPEC §4). Exit codes: 0 all well; 1 a workflow is invalid
/// or unreadable (validate), or the instance faulted (simulate); 2 the command line is wrong or simulate's inputs cannot be read.
/// </summary>
public sealed class CliApp(ActivityRegistry registry, TextWriter stdout, TextWriter stderr)
{
    public static readonly JsonSerializerOptions LineOptions = new(WorkflowJson.Compact) { WriteIndented = false };

    public async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Reconnect.Workflows: validate and simulate workflow definitions (Elsa 3 JSON).");
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(SimulateCommand());
        // No response files: "@path" is how --input names a file of JSON, and System.CommandLine would otherwise expand it into arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await stderr.WriteLineAsync(error.Message);
            return 2;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private Command ValidateCommand()
    {
        var files = new Argument<string[]>("files") { Arity = ArgumentArity.OneOrMore, Description = "Workflow JSON files." };
        var with = WithOption();
        var command = new Command("validate", "Validate workflow files: one line per problem, exit 0 when all are valid.") { files, with };
        command.SetAction(async (parse, _) => await ValidateAsync(parse.GetValue(files) ?? [], parse.GetValue(with) ?? []));
        return command;
    }

    private static Option<string[]> WithOption() => new("--with")
    {
        Description = "Other workflow files given together: the workflow may start them (ExecuteWorkflow, DispatchWorkflow) or use them as activities (options.usableAsActivity).",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>
    /// Reads the --with files and registers those usable as activities (and those of <paramref name="alsoRegister"/>).
    /// Returns the definitions, or writes "file: workflow: message" and returns null when one cannot be read.
    /// </summary>
    private async Task<List<WorkflowDefinition>?> LoadWithAsync(IEnumerable<string> withFiles, IEnumerable<string> alsoRegister)
    {
        var loaded = new List<WorkflowDefinition>();
        var failed = false;
        foreach (var file in withFiles)
        {
            try
            {
                loaded.Add(WorkflowJson.ParseFile(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WorkflowJsonException)
            {
                await stdout.WriteLineAsync($"{file}: workflow: {ex.Message}");
                failed = true;
            }
        }
        foreach (var definition in loaded) registry.AddWorkflowActivity(definition);
        foreach (var file in alsoRegister)
        {
            try { registry.AddWorkflowActivity(WorkflowJson.ParseFile(file)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WorkflowJsonException) { /* reported when validated */ }
        }
        return failed ? null : loaded;
    }

    public Task<int> ValidateAsync(IEnumerable<string> files) => ValidateAsync(files, []);

    public async Task<int> ValidateAsync(IEnumerable<string> files, IReadOnlyList<string> withFiles)
    {
        var fileList = files.ToList();
        // Workflows given together may use each other as activities, whichever list names them.
        if (await LoadWithAsync(withFiles, fileList) is null) return 1;
        var validator = new WorkflowValidator(registry, new ExpressionEvaluator());
        var invalid = false;
        foreach (var file in fileList)
        {
            WorkflowDefinition definition;
            try
            {
                definition = WorkflowJson.ParseFile(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WorkflowJsonException)
            {
                await stdout.WriteLineAsync($"{file}: workflow: {ex.Message}");
                invalid = true;
                continue;
            }
            var result = validator.Validate(definition);
            foreach (var message in result.Errors) await stdout.WriteLineAsync($"{file}: {message}");
            foreach (var message in result.Warnings) await stderr.WriteLineAsync($"{file}: warning: {message}");
            invalid |= !result.IsValid;
        }
        return invalid ? 1 : 0;
    }

    private Command SimulateCommand()
    {
        var file = new Argument<string>("file") { Description = "The workflow JSON file." };
        var input = new Option<string?>("--input") { Description = "Workflow input: a JSON object, or @path to a file holding one." };
        var start = new Option<string?>("--start") { Description = "Simulated start instant (ISO 8601); default: now." };
        var answers = new Option<string?>("--answers") { Description = "Answers file: task outcomes and events." };
        var until = new Option<string?>("--until") { Description = "Stop at this instant (ISO 8601) or after this duration (P30D)." };
        var correlation = new Option<string?>("--correlation-id") { Description = "Correlation id of the simulated instance." };
        var with = WithOption();
        var command = new Command("simulate", "Run a workflow on a simulated clock, printing one JSON object per line.") { file, input, start, answers, until, correlation, with };
        command.SetAction(async (parse, ct) => await SimulateAsync(
            parse.GetValue(file)!, parse.GetValue(input), parse.GetValue(start), parse.GetValue(answers), parse.GetValue(until), parse.GetValue(correlation),
            parse.GetValue(with) ?? [], ct));
        return command;
    }

    public Task<int> SimulateAsync(string file, string? inputText, string? startText, string? answersPath, string? untilText, string? correlationId, CancellationToken cancellationToken = default) =>
        SimulateAsync(file, inputText, startText, answersPath, untilText, correlationId, [], cancellationToken);

    public async Task<int> SimulateAsync(string file, string? inputText, string? startText, string? answersPath, string? untilText, string? correlationId,
        IReadOnlyList<string> withFiles, CancellationToken cancellationToken = default)
    {
        var with = await LoadWithAsync(withFiles, [file]);
        if (with is null) return 2;
        WorkflowDefinition definition;
        JsonObject? input;
        DateTimeOffset start;
        DateTimeOffset? until = null;
        Answers answers;
        try
        {
            definition = WorkflowJson.ParseFile(file);
            input = ParseInput(inputText);
            start = startText is null ? DateTimeOffset.UtcNow : ParseInstant(startText, "--start");
            if (untilText is not null)
                until = ValueConverter.TryParseDuration(untilText, out var span) ? start + span : ParseInstant(untilText, "--until");
            answers = answersPath is null ? Answers.Empty : ParseAnswers(answersPath, await File.ReadAllTextAsync(answersPath, cancellationToken));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WorkflowJsonException or FormatException or JsonException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }

        var validation = new WorkflowValidator(registry, new ExpressionEvaluator()).Validate(definition);
        if (!validation.IsValid)
        {
            foreach (var message in validation.Errors) await stderr.WriteLineAsync($"{file}: {message}");
            return 1;
        }

        var runner = new WorkflowRunner(registry);
        var simulator = new Simulator(runner);
        SimulationResult result;
        try
        {
            result = await simulator.RunAsync(definition, new SimulationOptions
            {
                Input = input, CorrelationId = correlationId, Start = start, Until = until, Answers = answers, With = with,
            }, Print, cancellationToken);
        }
        catch (SimulationException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
        await stdout.FlushAsync(cancellationToken);
        return result.Status == WorkflowStatus.Faulted ? 1 : 0;
    }

    /// <summary>The kinds SPEC §4 allows on simulate's output; other tools parse it, so nothing else goes out.</summary>
    private static readonly HashSet<string> SpecKinds =
    [
        TraceKinds.Started, TraceKinds.ActivityExecuted, TraceKinds.BookmarkCreated, TraceKinds.TimerFired, TraceKinds.TaskCreated,
        TraceKinds.TaskCompleted, TraceKinds.EventReceived, TraceKinds.Log, TraceKinds.Finished, TraceKinds.Faulted,
    ];

    /// <summary>One line; a child instance's lines carry its <c>instanceId</c> (the simulated instance's lines are as SPEC §4 has them).</summary>
    private void Print(TraceEvent trace, string? childInstanceId)
    {
        // The journal knows a few more kinds; on this contract they are told in the spec's words or left out.
        var (kind, detail) = trace.Kind switch
        {
            // A re-timed timer is a new timer bookmark (its detail names the one it replaces).
            TraceKinds.TimerRescheduled => (TraceKinds.BookmarkCreated, trace.Detail),
            TraceKinds.Cancelled => (TraceKinds.Finished, (JsonNode?)new JsonObject { ["status"] = "Cancelled", ["reason"] = trace.Detail?["reason"]?.DeepClone() }),
            _ => (trace.Kind, trace.Detail),
        };
        if (!SpecKinds.Contains(kind)) return;
        var line = new JsonObject
        {
            ["at"] = LondonTime.Format(trace.At),
            ["kind"] = kind,
            ["activityId"] = trace.ActivityId,
            ["activityType"] = trace.ActivityType,
            ["detail"] = detail?.DeepClone(),
        };
        if (childInstanceId is not null) line["instanceId"] = childInstanceId;
        stdout.WriteLine(line.ToJsonString(LineOptions));
    }

    private static JsonObject? ParseInput(string? text)
    {
        if (text is null) return null;
        if (text.StartsWith('@')) text = File.ReadAllText(text[1..]);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new FormatException("--input must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"--input is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Names the file in the message, so "error: …" says which input was wrong.</summary>
    private static Answers ParseAnswers(string path, string text)
    {
        try
        {
            return Answers.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"--answers {path}: {ex.Message}", ex);
        }
    }

    private static DateTimeOffset ParseInstant(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : throw new FormatException($"{option} '{text}' is not an ISO 8601 instant (e.g. 2027-01-15T09:00:00Z).");
}
