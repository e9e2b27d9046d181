using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Web.Components.Designer;

namespace Reconnect.Workflows.Server.Tests.Ui.Designer;

/// <summary>The variables tab, the property panel's undo steps and the designer's confirmation dialog, rendered with bUnit.</summary>
public class DesignerPanelsTests : MudTestContext
{
    private static readonly Engine.Activities.ActivityRegistry Registry = ReferralActivities.CreateRegistry();

    public DesignerPanelsTests()
    {
        Services.AddSingleton(new ExpressionEvaluator());
        // The versions panel holds the migration dialog, which these tests never open (its use case is tested with a
        // database in Application.Tests and in the browser); it only needs to be resolvable here.
        Services.AddSingleton(new Reconnect.Workflows.Application.Migrations.MigrationService(null!, null!, null!, null!, null!, null!));
    }

    private static DesignerDocument Document() => DesignerDocument.Load(
        WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json")), Registry);

    [Fact]
    public void VariablesPanel_ChangingADefault_ChangesTheDefinition_AsAnUndoStep()
    {
        var document = Document();
        var changed = 0;
        var cut = Render<VariablesPanel>(p => p.Add(x => x.Document, document).Add(x => x.OnChanged, () => changed++));

        Assert.Equal("7", cut.Find("#variable-value-FollowUp2Days").GetAttribute("value"));
        cut.Find("#variable-value-FollowUp2Days").Change("10");

        Assert.Equal("10", document.ToDefinition().Variables.Single(v => v.Name == "FollowUp2Days").Value!.ToJsonString());
        Assert.Equal(1, changed);
        Assert.True(document.CanUndo);

        cut.Find("#variable-value-FollowUp2Days").Change("ten");
        Assert.Contains("Not a whole number", cut.Find("#variables-message").TextContent);
        Assert.Equal("10", document.ToDefinition().Variables.Single(v => v.Name == "FollowUp2Days").Value!.ToJsonString());
    }

    [Fact]
    public void VariablesPanel_RenamingAUsedVariable_SaysWhere_AndKeepsTheName()
    {
        var document = Document();
        var cut = Render<VariablesPanel>(p => p.Add(x => x.Document, document));

        cut.Find("#variable-name-FirstContactDays").Change("ContactDays");

        var message = cut.Find("#variables-message").TextContent;
        Assert.Contains("'FirstContactDays' cannot be renamed while it is used", message);
        Assert.Contains(document.UsesOf("FirstContactDays")[0].ToString(), message);
        Assert.Equal("FirstContactDays", cut.Find("#variable-name-FirstContactDays").GetAttribute("value"));
    }

    [Fact]
    public void VariablesPanel_AddsAVariable_AndChangesItsType()
    {
        var document = Document();
        var cut = Render<VariablesPanel>(p => p.Add(x => x.Document, document));

        cut.Find("#variable-new-name").Change("HousingChecks");
        cut.Find("#variable-new-type").Change("Int32");
        cut.Find("#variable-new-value").Change("2");
        cut.Find("#variable-add-form").Submit();

        var added = document.Variables.Single(v => v.Name == "HousingChecks");
        Assert.Equal("Int32", added.TypeName);
        Assert.Equal("2", added.Value!.ToJsonString());

        cut.Find("#variable-type-HousingChecks").Change("String");
        Assert.Equal("\"2\"", document.Variables.Single(v => v.Name == "HousingChecks").Value!.ToJsonString());
    }

    [Fact]
    public void PropertyPanel_KeystrokesInTheName_AreOneUndoStep()
    {
        var document = Document();
        var node = document.FindNode("firstContact")!;
        var original = node.Activity.Name;
        var cut = Render<PropertyPanel>(p => p.Add(x => x.Document, document).Add(x => x.Node, node));

        cut.Find("#activity-name").Input("F");
        cut.Find("#activity-name").Input("Fi");
        cut.Find("#activity-name").Input("First call");

        Assert.Equal("First call", document.ToDefinition().FindActivity("firstContact")!.Name);
        Assert.True(document.Undo());
        Assert.Equal(original, document.ToDefinition().FindActivity("firstContact")!.Name);
        Assert.False(document.CanUndo);
    }

    [Fact]
    public async Task ConfirmDialog_SaysWhatHappens_AndAnswersWithTheButtonPressed()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();

        var asked = await AskAsync(provider, dialogs);
        provider.WaitForAssertion(() => Assert.Contains("stay on v1", provider.Find("#designer-confirm-text").TextContent));
        provider.Find("#designer-confirm-yes").Click();
        Assert.True(await asked);

        asked = await AskAsync(provider, dialogs);
        provider.WaitForElement("#designer-confirm-no").Click();
        Assert.False(await asked);
    }

    private static async Task<Task<bool>> AskAsync(IRenderedComponent<MudDialogProvider> provider, IDialogService dialogs)
    {
        Task<bool> asked = null!;
        // A statement lambda: the dispatcher must not wait for the answer, which comes from a click afterwards.
        await provider.InvokeAsync(() => { asked = DesignerConfirmDialog.AskAsync(dialogs, "Publish this pathway?",
            ["Referrals already running stay on v1."], "Publish", "Cancel"); });
        return asked;
    }

    [Fact]
    public void VersionsPanel_Compare_ShowsOldAndNewValuesOfChangedInputsAndVariables()
    {
        var v1 = WorkflowJson.ParseFile(Path.Combine(ReconnectApp.RepositoryWorkflows, "reconnect-referral-pathway.json"));
        v1.Version = 1;
        var v2 = v1.Clone();
        v2.Version = 2;
        v2.Variables.Single(v => v.Name == "FollowUp2Days").Value = System.Text.Json.Nodes.JsonValue.Create(10);
        v2.FindActivity("firstContact")!.SetInput("due", "DateTimeOffset", Expression.OfJavaScript("addDays(variables.ReferralDate, 3)"));
        var now = DateTimeOffset.Parse("2027-01-04T09:00:00Z");
        var versions = new List<Reconnect.Workflows.Application.Workflows.DefinitionVersionInfo>
        {
            new(v1.DefinitionId, 1, "p", false, false, now, now),
            new(v1.DefinitionId, 2, "p", true, true, now, now),
        };
        var cut = Render<VersionsPanel>(p => p
            .Add(x => x.Versions, versions)
            .Add(x => x.Load, version => Task.FromResult<WorkflowDefinition?>(version == 1 ? v1 : v2)));

        cut.Find("#compare").Click();

        cut.WaitForAssertion(() => Assert.Contains("default 7 → 10", cut.Find("#compare-variables li[data-variable='FollowUp2Days']").TextContent));
        var due = cut.Find("#compare-table tr[data-activity-id='firstContact'] li[data-input='due']").TextContent;
        Assert.Contains("JavaScript: addDays(variables.ReferralDate, variables.FirstContactDays) → JavaScript: addDays(variables.ReferralDate, 3)", due);
    }
}
