using System.Security.Cryptography;
using System.Text;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Validation;

namespace Reconnect.Workflows.Engine.Runtime;

/// <summary>What a definition operation came to: the definition, or the problems that stopped it.</summary>
public sealed record DefinitionResult(WorkflowDefinition? Definition, ValidationResult Validation, DefinitionError? Error = null, string? Message = null)
{
    public bool Succeeded => Error is null;
}

public enum DefinitionError
{
    Invalid,
    NotFound,
    AlreadyExists,
    NothingToPublish,
    NotPublished,
}

/// <summary>
/// Versions (SPEC §4): a new definition is a draft (version 1). Saving edits the latest version while it is a draft, else
/// makes a new draft version. Publishing makes the latest version the published one (running instances stay on
/// theirs); retracting leaves none published. Every save and publish is validated first; nothing invalid is stored.
/// </summary>
public sealed class WorkflowDefinitionService(IWorkflowDefinitionStore store, WorkflowValidator validator, TimeProvider time)
{
    public ValidationResult Validate(WorkflowDefinition definition) => validator.Validate(definition);

    public async Task<DefinitionResult> CreateAsync(WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        var validation = validator.Validate(definition);
        if (!validation.IsValid) return new(null, validation, DefinitionError.Invalid, "The workflow has problems; nothing was saved.");
        if (await store.FindLatestAsync(definition.DefinitionId, cancellationToken) is not null)
            return new(null, validation, DefinitionError.AlreadyExists, $"A workflow '{definition.DefinitionId}' exists already.");
        var draft = Prepare(definition, version: 1);
        await store.SaveAsync(draft, cancellationToken);
        return new(draft, validation);
    }

    public async Task<DefinitionResult> SaveDraftAsync(string definitionId, WorkflowDefinition definition, CancellationToken cancellationToken = default)
    {
        definition.DefinitionId = definitionId;
        var validation = validator.Validate(definition);
        if (!validation.IsValid) return new(null, validation, DefinitionError.Invalid, "The workflow has problems; nothing was saved.");
        var latest = await store.FindLatestAsync(definitionId, cancellationToken);
        if (latest is null) return new(null, validation, DefinitionError.NotFound, $"No workflow '{definitionId}'.");
        var draft = latest.IsDraft ? Prepare(definition, latest.Version, latest.CreatedAt) : Prepare(definition, latest.Version + 1);
        await store.SaveAsync(draft, cancellationToken);
        return new(draft, validation);
    }

    public async Task<DefinitionResult> PublishAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        var latest = await store.FindLatestAsync(definitionId, cancellationToken);
        if (latest is null) return new(null, new ValidationResult([]), DefinitionError.NotFound, $"No workflow '{definitionId}'.");
        var validation = validator.Validate(latest);
        if (!validation.IsValid) return new(null, validation, DefinitionError.Invalid, "The workflow has problems; it was not published.");
        if (latest.IsPublished) return new(latest, validation);
        var published = latest.Clone();
        published.IsPublished = true;
        published.PublishedAt ??= time.GetUtcNow();
        await store.SaveAsync(published, cancellationToken);
        return new(published, validation);
    }

    public async Task<DefinitionResult> RetractAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        var published = await store.FindPublishedAsync(definitionId, cancellationToken);
        if (published is null)
            return new(null, new ValidationResult([]),
                await store.FindLatestAsync(definitionId, cancellationToken) is null ? DefinitionError.NotFound : DefinitionError.NotPublished,
                $"Workflow '{definitionId}' has no published version.");
        var retracted = published.Clone();
        retracted.IsPublished = false;
        await store.SaveAsync(retracted, cancellationToken);
        return new(retracted, new ValidationResult([]));
    }

    /// <summary>
    /// Deploys a workflow file: imported and published when its content is new; when a version was already imported from
    /// the same content nothing happens, so a newer version published from the designer stays published until the file changes.
    /// </summary>
    public async Task<(DefinitionResult Result, bool Changed)> DeployFileAsync(string json, CancellationToken cancellationToken = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        var definition = WorkflowJson.Parse(json);
        var versions = await store.ListVersionsAsync(definition.DefinitionId, cancellationToken);
        if (versions.FirstOrDefault(v => v.SourceHash == hash) is { } same) return (new(same, new ValidationResult([])), false);
        var validation = validator.Validate(definition);
        if (!validation.IsValid) return (new(null, validation, DefinitionError.Invalid, $"Workflow file '{definition.DefinitionId}' has problems; it was not deployed."), false);
        var next = versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1;
        var deployed = Prepare(definition, next);
        deployed.IsPublished = true;
        deployed.PublishedAt = time.GetUtcNow();
        deployed.SourceHash = hash;
        await store.SaveAsync(deployed, cancellationToken);
        return (new(deployed, validation), true);
    }

    private WorkflowDefinition Prepare(WorkflowDefinition definition, int version, DateTimeOffset? createdAt = null)
    {
        var copy = definition.Clone();
        copy.Version = version;
        copy.Id = $"{copy.DefinitionId}:v{version}";
        copy.IsPublished = false;
        copy.IsLatest = true;
        copy.PublishedAt = null;
        copy.CreatedAt = createdAt ?? time.GetUtcNow();
        return copy;
    }
}
