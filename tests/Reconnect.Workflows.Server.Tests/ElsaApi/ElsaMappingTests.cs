using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Server.ElsaApi;

namespace Reconnect.Workflows.Server.Tests.ElsaApi;

/// <summary>The pure mapping rules of docs/elsa-api.md, without a server.</summary>
public class ElsaMappingTests
{
    [Theory]
    [InlineData(WorkflowStatus.Running, "Running", "Executing")]
    [InlineData(WorkflowStatus.Suspended, "Running", "Suspended")]
    [InlineData(WorkflowStatus.Finished, "Finished", "Finished")]
    [InlineData(WorkflowStatus.Cancelled, "Finished", "Cancelled")]
    [InlineData(WorkflowStatus.Faulted, "Finished", "Faulted")]
    public void ToElsa_EachOfOurStatuses_ElsaStatusAndSubStatus(WorkflowStatus ours, string status, string subStatus)
    {
        Assert.Equal((status, subStatus), ElsaStatuses.ToElsa(ours.ToString()));
        Assert.True(ElsaStatuses.TryFromElsaStatus(status, out var back));
        Assert.Contains(ours, back);
        Assert.True(ElsaStatuses.TryFromElsaSubStatus(subStatus, out var exact));
        Assert.Equal([ours], exact);
    }

    [Theory]
    [InlineData("Pending", true)]
    [InlineData("interrupted", true)]
    [InlineData("Sleeping", false)]
    public void TryFromElsaSubStatus_PendingInterruptedOrUnknown_MatchesNothing(string text, bool known)
    {
        Assert.Equal(known, ElsaStatuses.TryFromElsaSubStatus(text, out var statuses));
        Assert.Empty(statuses);
    }

    [Theory]
    [InlineData(null, VersionChoice.Latest, 0, true)]
    [InlineData("published", VersionChoice.Published, 0, true)]
    [InlineData("LatestOrPublished", VersionChoice.LatestOrPublished, 0, true)]
    [InlineData("AllVersions", VersionChoice.AllVersions, 0, true)]
    [InlineData("3", VersionChoice.Specific, 3, true)]
    [InlineData("0", VersionChoice.Specific, 0, false)]
    [InlineData("Specific", VersionChoice.Latest, 0, false)]
    [InlineData("Newest", VersionChoice.Latest, 0, false)]
    public void VersionOptions_TryParse_ElsaNamesAndNumbers(string? text, VersionChoice choice, int version, bool ok)
    {
        Assert.Equal(ok, ElsaVersionOptions.TryParse(text, ElsaVersionOptions.Latest, out var options));
        if (ok) Assert.Equal(new ElsaVersionOptions(choice, version), options);
    }

    [Fact]
    public void VersionOptions_Matches_DraftIsNeverPublished()
    {
        var draft = new ElsaVersionOptions(VersionChoice.Draft);
        Assert.True(draft.Matches(2, isLatest: true, isPublished: false, isDraft: true));
        Assert.False(draft.Matches(1, isLatest: false, isPublished: false, isDraft: false));
        Assert.True(new ElsaVersionOptions(VersionChoice.LatestAndPublished).Matches(1, true, true, false));
        Assert.False(new ElsaVersionOptions(VersionChoice.LatestAndPublished).Matches(1, false, true, false));
    }

    [Theory]
    [InlineData("flow:v2", true, "flow", 2)]
    [InlineData("a:b:v10", true, "a:b", 10)]
    [InlineData("flow:v0", false, "", 0)]
    [InlineData("flow", false, "", 0)]
    [InlineData(":v1", false, "", 0)]
    public void TryParseVersionId_OurVersionIds(string id, bool ok, string definitionId, int version)
    {
        Assert.Equal(ok, ElsaDefinitionMapping.TryParseVersionId(id, out var d, out var v));
        if (ok) Assert.Equal((definitionId, version), (d, v));
    }

    [Fact]
    public void AssignNodeIds_NestedActivities_ParentPathUnlessStudioGaveOne()
    {
        var root = (JsonObject)JsonNode.Parse("""
            {"id":"Flowchart1","type":"Elsa.Flowchart","activities":[
              {"id":"a","type":"Elsa.Start"},
              {"id":"b","type":"Elsa.WriteLine","nodeId":"Workflow1:Flowchart1:b","text":{"typeName":"String","expression":{"type":"Literal","value":"x"}}},
              {"id":"seq","type":"Elsa.Sequence","activities":[{"id":"inner","type":"Elsa.WriteLine"}]}],
             "connections":[{"source":{"activity":"a","port":"Done"},"target":{"activity":"b","port":"In"}}]}
            """)!;
        var map = ElsaDefinitionMapping.AssignNodeIds(root);
        Assert.Equal("Flowchart1", map["Flowchart1"]);
        Assert.Equal("Flowchart1:a", map["a"]);
        Assert.Equal("Workflow1:Flowchart1:b", map["b"]);
        Assert.Equal("Flowchart1:seq:inner", map["inner"]);
        Assert.Equal(5, map.Count);
        Assert.Null(root["connections"]![0]!["nodeId"]);
    }

    [Fact]
    public void FromElsa_ServerOnlyFieldsDropped_DesignerFieldsKept()
    {
        var model = (JsonObject)JsonNode.Parse("""
            {"definitionId":"x","links":[],"isReadonly":false,"isSystem":false,"materializerName":"Json","providerName":"p","toolVersion":"3.8.0","options":{"autoUpdateConsumingWorkflows":false},"root":{"type":"Elsa.Flowchart"}}
            """)!;
        var stored = ElsaDefinitionMapping.FromElsa(model);
        Assert.Equal(["definitionId", "toolVersion", "options", "root"], stored.Select(p => p.Key));
        Assert.NotNull(model["links"]);
    }

    [Fact]
    public void ActivityDescriptor_DynamicOutcomes_NoFixedPortsAndStudioHints()
    {
        var descriptor = new ActivityDescriptor
        {
            Type = "Reconnect.SomeTask", DisplayName = "Some task", Category = "Tasks", Ports = ["Done"], DynamicPortsInput = "outcomes", IsTrigger = true,
            Inputs =
            [
                new InputDescriptor { Name = "outcomes", TypeName = "String[]", UiHint = "outcomes" },
                new InputDescriptor { Name = "due", UiHint = "date" },
                new InputDescriptor { Name = "kind", UiHint = "dropdown", Options = ["A", "B"] },
                new InputDescriptor { Name = "ref", UiHint = "variable-picker", Raw = true },
                new InputDescriptor { Name = "odd", UiHint = "something-new" },
            ],
        };
        var elsa = ElsaActivityMapping.ToElsa(descriptor);
        Assert.Equal(("Reconnect", "SomeTask", 1, "Trigger"), (elsa.Namespace, elsa.Name, elsa.Version, elsa.Kind));
        Assert.Empty(elsa.Ports);
        Assert.Equal(["dynamic-outcomes", "datetime-picker", "dropdown", "variable-picker", "singleline"], elsa.Inputs.Select(i => i.UiHint));
        Assert.False(elsa.Inputs[3].IsWrapped);
        Assert.Equal("B", elsa.Inputs[2].UiSpecifications!["dropdown"]!["selectList"]!["items"]![1]!["value"]!.GetValue<string>());
        Assert.Equal([0f, 1f, 2f, 3f, 4f], elsa.Inputs.Select(i => i.Order));
    }
}
