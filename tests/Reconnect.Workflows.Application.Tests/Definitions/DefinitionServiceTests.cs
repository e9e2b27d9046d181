using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Definitions;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tests.Infrastructure;

namespace Reconnect.Workflows.Application.Tests.Definitions;

/// <summary>The definitions' use cases as the API and the designer both call them.</summary>
public class DefinitionServiceTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task SaveAndPublish_ByManager_NewPublishedVersionAuditedAndListenersTold(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        using var scope = kit.Services.CreateScope();
        var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var current = (await definitions.LatestAsync(ReferralService.PathwayDefinitionId))!;
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var saved = await definitions.SaveDraftAsync(ApplicationKit.Manager, current.DefinitionId, current);
        var published = await definitions.PublishAsync(ApplicationKit.Manager, current.DefinitionId);

        Assert.True(saved.Succeeded, saved.Error);
        Assert.True(published.Succeeded, published.Error);
        Assert.Equal(current.Version + 1, published.Definition!.Version);
        Assert.True(published.Definition.IsPublished);
        Assert.Equal([ReferralService.PathwayDefinitionId], kit.DefinitionChanges.Changed);
        Assert.Equal(
            [$"Manager save WorkflowDefinition {current.DefinitionId}", $"Manager publish WorkflowDefinition {current.DefinitionId}"],
            await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Changes_ByNavigatorOrAdmin_ForbiddenAndNothingWritten(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        using var scope = kit.Services.CreateScope();
        var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var current = (await definitions.LatestAsync(ReferralService.PathwayDefinitionId))!;
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        foreach (var caller in new[] { ApplicationKit.Navigator(), ApplicationKit.Admin })
        {
            Assert.Equal(DefinitionFailure.Forbidden, (await definitions.SaveDraftAsync(caller, current.DefinitionId, current)).Failure);
            Assert.Equal(DefinitionFailure.Forbidden, (await definitions.PublishAsync(caller, current.DefinitionId)).Failure);
            Assert.Equal(DefinitionFailure.Forbidden, (await definitions.RetractAsync(caller, current.DefinitionId)).Failure);
        }

        Assert.Equal(current.Version, (await definitions.LatestAsync(current.DefinitionId))!.Version);
        Assert.Empty(kit.DefinitionChanges.Changed);
        Assert.Empty(await Infrastructure.Referrals.AuditSinceAsync(kit, before));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Import_NotAWorkflow_MalformedAndNothingWritten(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        using var scope = kit.Services.CreateScope();
        var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var before = await Infrastructure.Referrals.LastAuditIdAsync(kit);

        var result = await definitions.ImportAsync(ApplicationKit.Manager, "{\"hello\": [1, 2");

        Assert.Equal(DefinitionFailure.Malformed, result.Failure);
        Assert.Empty(await Infrastructure.Referrals.AuditSinceAsync(kit, before));
        Assert.Single(await definitions.ListAsync());
    }
}
