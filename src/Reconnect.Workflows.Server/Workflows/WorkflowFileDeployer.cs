using Microsoft.Extensions.Options;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Server.Workflows;

/// <summary>
/// On start-up every file in <c>workflows/</c> is imported and published when its content is new. A file whose content
/// was imported before is left alone, so a newer version published from the designer stays published until the file
/// itself changes (then the file wins, as a new version). A file with problems is logged and skipped; the server starts.
/// </summary>
public sealed class WorkflowFileDeployer(
    WorkflowDefinitionService definitions,
    IOptions<ReconnectOptions> options,
    IConfiguration configuration,
    ILogger<WorkflowFileDeployer> logger)
{
    public async Task<int> DeployAllAsync(CancellationToken cancellationToken = default)
    {
        var root = configuration["Reconnect:Root"] ?? Directory.GetCurrentDirectory();
        var folder = Path.IsPathRooted(options.Value.WorkflowsPath) ? options.Value.WorkflowsPath : Path.Combine(root, options.Value.WorkflowsPath);
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("Workflow folder {Folder} does not exist; nothing deployed", folder);
            return 0;
        }
        var deployed = 0;
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var (result, changed) = await definitions.DeployFileAsync(await File.ReadAllTextAsync(file, cancellationToken), cancellationToken);
                if (!result.Succeeded)
                {
                    logger.LogError("Workflow file {File} was not deployed: {Problems}", Path.GetFileName(file),
                        string.Join("; ", result.Validation.Errors.Select(e => e.ToString())));
                    continue;
                }
                if (changed)
                {
                    deployed++;
                    logger.LogInformation("Deployed {DefinitionId} version {Version} from {File}", result.Definition!.DefinitionId, result.Definition.Version, Path.GetFileName(file));
                }
            }
            catch (Engine.Model.WorkflowJsonException ex)
            {
                logger.LogError("Workflow file {File} is not a workflow: {Message}", Path.GetFileName(file), ex.Message);
            }
        }
        return deployed;
    }
}
