using Reconnect.Workflows.Application.Definitions;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Http;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Server.ElsaHttp;

/// <summary>An <c>Elsa.HttpEndpoint</c> that starts a published workflow: its path template, methods and roles.</summary>
public sealed record HttpTrigger(WorkflowDefinition Definition, string ActivityId, string PathTemplate, IReadOnlyList<string> Methods, IReadOnlyList<string> Roles);

/// <summary>
/// The HTTP triggers of every published workflow, kept between requests: <c>/workflows/{path}</c> used to read, parse
/// and compile every definition on every request. Rebuilt on the next request after this node publishes, retracts or
/// imports (it is a definition change listener), and at least every <see cref="ElsaHttpOptions.TriggerCacheSeconds"/>,
/// which bounds how long another node's publish takes to reach this one.
/// </summary>
public sealed class HttpTriggerIndex(IWorkflowDefinitionStore definitions, WorkflowRunner runner, ElsaHttpOptions options, TimeProvider time)
    : IDefinitionChangeListener, IDisposable
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyList<HttpTrigger> Triggers, DateTimeOffset BuiltAt);

    /// <summary>How many times the triggers were read from the store (for tests of the cache).</summary>
    public int Rebuilds { get; private set; }

    /// <summary>The triggers whose template and methods match the request.</summary>
    public async Task<IReadOnlyList<HttpTrigger>> MatchAsync(string method, string path, CancellationToken cancellationToken)
    {
        var triggers = await CurrentAsync(cancellationToken);
        return [.. triggers.Where(t => t.Methods.Contains(method) && HttpStimulus.TryMatch(t.PathTemplate, path, out _))];
    }

    private async Task<IReadOnlyList<HttpTrigger>> CurrentAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_snapshot) is { } fresh) return fresh.Triggers;
        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_snapshot) is { } built) return built.Triggers;
            var snapshot = new Snapshot(await ReadAsync(cancellationToken), time.GetUtcNow());
            Rebuilds++;
            _snapshot = snapshot;
            return snapshot.Triggers;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private Snapshot? Fresh(Snapshot? snapshot) =>
        snapshot is not null && (time.GetUtcNow() - snapshot.BuiltAt).Duration() < TimeSpan.FromSeconds(Math.Max(0, options.TriggerCacheSeconds)) ? snapshot : null;

    private async Task<List<HttpTrigger>> ReadAsync(CancellationToken cancellationToken)
    {
        var triggers = new List<HttpTrigger>();
        foreach (var latest in await definitions.ListLatestAsync(cancellationToken))
        {
            var published = latest.IsPublished ? latest : await definitions.FindPublishedAsync(latest.DefinitionId, cancellationToken);
            if (published is null || !published.Activities.Any(a => a.Type == "Elsa.HttpEndpoint")) continue;
            var compiled = runner.Compile(published);
            foreach (var node in published.Activities.Where(a => a.Type == "Elsa.HttpEndpoint"))
            {
                var isTrigger = node.Id == compiled.StartNodeId || string.Equals(node.GetCustomProperty("canStartWorkflow"), "true", StringComparison.OrdinalIgnoreCase);
                if (!isTrigger || HttpEndpointActivity.Path(node) is not { } template) continue;
                triggers.Add(new HttpTrigger(published, node.Id, template, HttpEndpointActivity.Methods(node),
                    ValueConverter.ToStringList(node.GetInput("policy")?.Value)));
            }
        }
        return triggers;
    }

    /// <summary>Forgets the triggers: the next request reads them again.</summary>
    public void Invalidate() => _snapshot = null;

    public Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        Invalidate();
        return Task.CompletedTask;
    }

    public void Dispose() => _rebuild.Dispose();

    public Task OnStartupAsync(CancellationToken cancellationToken = default)
    {
        Invalidate();
        return Task.CompletedTask;
    }
}
