using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Definitions;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Web.Components.Designer;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>The designer's pages and operations in the real server: who gets in, and that a change made there is what the API serves.</summary>
public class DesignerHostTests
{
    [Fact]
    public async Task DesignerPages_ForManagersAndAdmins_NotForNavigators_AndAnonymousGoToLogin()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);

        var anonymous = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var redirect = await anonymous.GetAsync("/designer");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/login", redirect.Headers.Location!.AbsolutePath);

        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);
        var list = await manager.GetStringAsync("/designer");
        Assert.Contains("RECONNECT referral pathway", list); // the list is rendered on the server, as the API lists it
        Assert.Contains("href=\"/designer/reconnect-referral-pathway\"", list);
        Assert.Contains("href=\"/designer\"", list); // the navigation link
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/designer/reconnect-referral-pathway")).StatusCode);

        var admin = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/designer")).StatusCode);

        var navigator = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.NavigatorLeeds);
        var forbidden = await navigator.GetAsync("/designer/reconnect-referral-pathway");
        Assert.Equal(HttpStatusCode.Redirect, forbidden.StatusCode);
        Assert.Equal("/forbidden", forbidden.Headers.Location!.AbsolutePath);
        Assert.DoesNotContain("href=\"/designer\"", await navigator.GetStringAsync("/inbox"));
    }

    [Fact]
    public async Task EditorPage_RequestedManyTimesAtOnce_IsAlwaysServedWhole()
    {
        // The canvas used to be prerendered: its disposal (JavaScript interop, which prerendering has not) aborted the
        // response now and then once several pages were rendered at the same time.
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var manager = await UiHostTests.SignedInBrowserAsync(app, ReconnectApp.Manager);

        var pages = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => manager.GetStringAsync("/designer/reconnect-referral-pathway")));

        Assert.All(pages, html => Assert.Contains("</html>", html));
        Assert.All(pages, html => Assert.Contains("RECONNECT referral pathway", html));
    }

    [Fact]
    public async Task Operations_ImportEditSavePublishRetract_AreAudited_AndTheApiServesTheResult()
    {
        await using var app = await ReconnectApp.StartAsync();
        using var scope = app.Services.CreateScope();
        var operations = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var manager = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "manager-id"), new Claim(ClaimTypes.Name, ReconnectApp.Manager), new Claim(ClaimTypes.Role, Roles.Manager)], "test"));
        var elsa = await File.ReadAllTextAsync(Path.Combine(ReconnectApp.RepositoryRoot, "testdata", "elsa-samples", "corpus", "BasicWorkflows__hello-world.json"));
        var definitionId = JsonNode.Parse(elsa)!["definitionId"]!.GetValue<string>();

        var imported = await operations.ImportAsync(manager, elsa);
        Assert.True(imported.Succeeded, imported.Error);
        Assert.Equal(1, imported.Definition!.Version);
        Assert.Contains(await operations.ListAsync(), d => d.DefinitionId == definitionId);

        // Edit in the designer's model: move the first activity, add a WriteLine after the last one.
        var document = DesignerDocument.Load((await operations.LatestAsync(definitionId))!, app.Service<ActivityRegistry>());
        var first = document.Nodes.First();
        first.SetPosition(first.Position.X + 40, first.Position.Y + 30);
        var last = document.Nodes.Last(n => n.Outcomes.Any());
        var log = document.AddActivity("Elsa.WriteLine", document.FreeSpot());
        log.Activity.SetInput("text", "String", Engine.Model.Expression.OfLiteral("Bye"));
        document.Connect(last, last.Outcomes.First().Outcome, log);
        Assert.DoesNotContain(operations.Validate(document.ToDefinition()), p => p.Severity == Engine.Validation.ValidationSeverity.Error);

        var saved = await operations.SaveDraftAsync(manager, definitionId, document.ToDefinition());
        Assert.True(saved.Succeeded, saved.Error);
        var published = await operations.PublishAsync(manager, definitionId);
        Assert.True(published.Succeeded, published.Error);
        Assert.True(published.Definition!.IsPublished);

        var api = await app.LoginAsync(ReconnectApp.Manager);
        var served = (await api.GetFromJsonAsync<JsonObject>($"/api/workflow-definitions/{definitionId}"))!;
        Assert.Equal(published.Definition.Version, served["version"]!.GetValue<int>());
        Assert.True(served["isPublished"]!.GetValue<bool>());
        Assert.Contains(served["root"]!["activities"]!.AsArray(), a => a!["id"]!.GetValue<string>() == log.Activity.Id);
        Assert.Equal(first.Position.Y, served["root"]!["activities"]!.AsArray().Single(a => a!["id"]!.GetValue<string>() == first.Activity.Id)!
            ["metadata"]!["designer"]!["position"]!["y"]!.GetValue<double>());
        var versions = await operations.VersionsAsync(definitionId);
        Assert.Equal(versions.Select(v => v.Version), (await api.GetFromJsonAsync<JsonArray>($"/api/workflow-definitions/{definitionId}/versions"))!
            .Select(v => v!["version"]!.GetValue<int>()));

        var retracted = await operations.RetractAsync(manager, definitionId);
        Assert.True(retracted.Succeeded, retracted.Error);
        Assert.DoesNotContain(await operations.VersionsAsync(definitionId), v => v.IsPublished);
        Assert.False((await operations.RetractAsync(manager, definitionId)).Succeeded); // nothing left to retract

        await using var db = await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var actions = await db.AuditEntries.Where(a => a.EntityId == definitionId).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        Assert.Equal(["import", "save", "publish", "retract"], actions);
    }

    [Fact]
    public async Task Operations_RefuseWhatTheApiRefuses()
    {
        await using var app = await ReconnectApp.StartAsync();
        using var scope = app.Services.CreateScope();
        var operations = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        var manager = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "manager-id"), new Claim(ClaimTypes.Role, Roles.Manager)], "test"));

        var notJson = await operations.ImportAsync(manager, "{nope");
        Assert.False(notJson.Succeeded);
        var badId = await operations.CreateAsync(manager, "no spaces please", "x");
        Assert.False(badId.Succeeded);
        var created = await operations.CreateAsync(manager, "new-pathway", "New pathway");
        Assert.True(created.Succeeded, created.Error);
        Assert.False((await operations.CreateAsync(manager, "new-pathway", "Again")).Succeeded);

        // An unreachable activity: saving is refused with the problem naming it.
        var document = DesignerDocument.Load(created.Definition!, app.Service<ActivityRegistry>());
        var orphan = document.AddActivity("Elsa.WriteLine", document.FreeSpot());
        var refused = await operations.SaveDraftAsync(manager, created.Definition!.DefinitionId, document.ToDefinition());
        Assert.False(refused.Succeeded);
        Assert.Contains(refused.Problems, p => p.ActivityId == orphan.Activity.Id);
    }
}

