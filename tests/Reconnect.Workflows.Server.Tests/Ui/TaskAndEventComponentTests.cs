using System.Text.Json.Nodes;
using Bunit;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Web.Components.Pages;
using Reconnect.Workflows.Web.Components.Shared;
using Reconnect.Workflows.Application.Referrals;
using TaskDto = Reconnect.Workflows.Application.Tasks.TaskDto;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The task completion form and the case page's event buttons.</summary>
public class TaskAndEventComponentTests : MudTestContext
{
    [Fact]
    public void CompleteTask_WithoutAnOutcome_SaysOneIsRequired_AndDoesNotComplete()
    {
        var completed = new List<CompletedTask>();
        var cut = Render<CompleteTaskForm>(p => p
            .Add(f => f.Outcomes, ["Engaged", "Declined", "UnableToContact"])
            .Add(f => f.OnComplete, (CompletedTask c) => completed.Add(c)));

        cut.Find("#complete-submit").Click();

        Assert.Empty(completed);
        Assert.Contains(CompleteTaskForm.OutcomeRequired, cut.Markup);
    }

    [Fact]
    public async Task CompleteTask_WithAnOutcome_HandsBackOutcomeAndNote()
    {
        var completed = new List<CompletedTask>();
        var cut = Render<CompleteTaskForm>(p => p
            .Add(f => f.Outcomes, ["Engaged", "Declined"])
            .Add(f => f.OnComplete, (CompletedTask c) => completed.Add(c)));

        // Choosing from the drop-down: the select's value change, as MudSelect raises it.
        var select = cut.FindComponent<MudBlazor.MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("Declined"));
        cut.Find("#complete-notes").Change("  Does not want support.  ");
        cut.Find("#complete-submit").Click();

        cut.WaitForAssertion(() => Assert.Single(completed), TimeSpan.FromSeconds(5));
        var c = Assert.Single(completed);
        Assert.Equal("Declined", c.Outcome);
        Assert.Equal("Does not want support.", c.Notes);
    }

    [Fact]
    public async Task CompleteReview_Reassign_AsksForTheNavigator_AndHandsBackTheirId()
    {
        var completed = new List<CompletedTask>();
        var cut = Render<CompleteTaskForm>(p => p
            .Add(f => f.Outcomes, ["Reassign", "Chase", "Done"])
            .Add(f => f.Navigators, [new Reconnect.Workflows.Application.Tasks.NavigatorOption("n2", "Nadia Second")])
            .Add(f => f.OnComplete, (CompletedTask c) => completed.Add(c)));
        Assert.Empty(cut.FindAll("#complete-assignee"));

        var outcome = cut.FindComponents<MudBlazor.MudSelect<string>>()[0];
        await cut.InvokeAsync(() => outcome.Instance.ValueChanged.InvokeAsync("Reassign"));
        Assert.NotEmpty(cut.FindAll("#complete-assignee"));
        cut.Find("#complete-submit").Click();
        Assert.Empty(completed);
        Assert.Contains(CompleteTaskForm.NavigatorRequired, cut.Markup);

        var navigator = cut.FindComponents<MudBlazor.MudSelect<string>>()[1];
        await cut.InvokeAsync(() => navigator.Instance.ValueChanged.InvokeAsync("n2"));
        cut.Find("#complete-submit").Click();
        cut.WaitForAssertion(() => Assert.Single(completed), TimeSpan.FromSeconds(5));
        Assert.Equal(new CompletedTask("Reassign", null, "n2"), completed[0]);

        // Chase needs no navigator and sends none.
        await cut.InvokeAsync(() => outcome.Instance.ValueChanged.InvokeAsync("Chase"));
        Assert.Empty(cut.FindAll("#complete-assignee"));
        cut.Find("#complete-submit").Click();
        cut.WaitForAssertion(() => Assert.Equal(2, completed.Count), TimeSpan.FromSeconds(5));
        Assert.Equal(new CompletedTask("Chase", null, null), completed[1]);
    }

    [Theory]
    [InlineData("Triage", null, new[] { "release-date-changed", "released", "transferred", "recalled-to-custody", "consent-withdrawn" })]
    [InlineData("PreRelease", null, new[] { "release-date-changed", "released", "transferred", "recalled-to-custody", "consent-withdrawn" })]
    [InlineData("Triage", "2026-01-05", new[] { "released", "transferred", "recalled-to-custody", "consent-withdrawn" })]
    [InlineData("PostRelease", "2026-01-05", new[] { "released", "transferred", "recalled-to-custody", "consent-withdrawn" })]
    [InlineData("Closed", null, new string[0])]
    public void EventButtons_ShowTheEventsTheStageTakes(string stage, string? releasedOn, string[] expected)
    {
        var cut = Render<ReferralEventButtons>(p => p
            .Add(b => b.Stage, stage)
            .Add(b => b.ReleasedOn, releasedOn is null ? null : DateOnly.Parse(releasedOn, System.Globalization.CultureInfo.InvariantCulture))
            .Add(b => b.Sites, ["LEI", "NHI", "WEI"])
            .Add(b => b.Send, (_, _) => Task.FromResult<ReferralEventResult>(new ReferralEventResult.Applied(stage))));

        var shown = ReferralEvents.All.Where(e => cut.FindAll($"#event-{e}").Count == 1).ToList();
        Assert.Equal(expected.Order(), shown.Order());
        if (expected.Length == 0) Assert.Contains("takes no events", cut.Find("#no-events").TextContent);
        foreach (var button in cut.FindAll("button")) Assert.False(string.IsNullOrWhiteSpace(button.TextContent));
    }

    [Fact]
    public void Released_AfterRelease_OffersACorrectionOfTheDate()
    {
        var before = Render<ReferralEventButtons>(p => p.Add(b => b.Stage, "PreRelease")
            .Add(b => b.Send, (_, _) => Task.FromResult<ReferralEventResult>(new ReferralEventResult.Applied("PostRelease"))));
        Assert.Equal("Confirm released", before.Find("#event-released").TextContent.Trim());
        var after = Render<ReferralEventButtons>(p => p.Add(b => b.Stage, "PostRelease").Add(b => b.ReleasedOn, new DateOnly(2026, 1, 5))
            .Add(b => b.Send, (_, _) => Task.FromResult<ReferralEventResult>(new ReferralEventResult.Applied("PostRelease"))));
        Assert.Equal("Correct the release date", after.Find("#event-released").TextContent.Trim());
        Assert.Contains("released on 2026-01-05", after.Find("#referral-events").TextContent);
    }

    [Fact]
    public void ConsentWithdrawn_AsksForConfirmationFirst()
    {
        var sent = new List<(string Event, JsonObject Payload)>();
        var cut = Render<ReferralEventButtons>(p => p
            .Add(b => b.Stage, "Triage")
            .Add(b => b.Send, (e, payload) => { sent.Add((e, payload)); return Task.FromResult<ReferralEventResult>(new ReferralEventResult.Applied("Closed")); }));

        cut.Find("#event-consent-withdrawn").Click();
        Assert.Empty(sent);
        cut.Find("#confirm-withdraw-no").Click();
        Assert.Empty(cut.FindAll("#confirm-withdraw"));

        cut.Find("#event-consent-withdrawn").Click();
        cut.Find("#confirm-withdraw-yes").Click();
        var (name, payload) = Assert.Single(sent);
        Assert.Equal(ReferralEvents.ConsentWithdrawn, name);
        Assert.Empty(payload);
        Assert.Contains("Closed", cut.Find("#event-message").TextContent);
    }

    [Fact]
    public void ReleaseDateChanged_SendsTheDate_AndShowsTheServersFieldError()
    {
        var sent = new List<(string Event, JsonObject Payload)>();
        var cut = Render<ReferralEventButtons>(p => p
            .Add(b => b.Stage, "PreRelease")
            .Add(b => b.Send, (e, payload) =>
            {
                sent.Add((e, payload));
                return Task.FromResult<ReferralEventResult>(new ReferralEventResult.Invalid(new Dictionary<string, string[]> { ["releaseDate"] = ["releaseDate is required, as YYYY-MM-DD."] }));
            }));

        cut.Find("#event-releaseDate").Input("2026-06-01");
        cut.Find("#event-release-date-changed").Click();

        var (name, payload) = Assert.Single(sent);
        Assert.Equal(ReferralEvents.ReleaseDateChanged, name);
        Assert.Equal("2026-06-01", payload["releaseDate"]!.GetValue<string>());
        Assert.Contains("releaseDate is required", cut.Find("#event-releaseDate").Closest(".mud-input-control")!.TextContent);
    }

    [Fact]
    public void Inbox_Order_OverdueFirstThenByDueDate()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
        TaskDto Task(string id, int dueInDays, bool overdue) => new(id, id, null, "LEI", null, null, null, "Open",
            null, dueInDays == int.MaxValue ? null : now.AddDays(dueInDays), overdue, [], null, null, null, null, null, null, null, now);
        var ordered = Inbox.Order([Task("later", 5, false), Task("none", int.MaxValue, false), Task("overdue-new", -1, true), Task("soon", 1, false), Task("overdue-old", -4, true)]);
        Assert.Equal(["overdue-old", "overdue-new", "soon", "later", "none"], ordered.Select(t => t.Id));
    }

    [Fact]
    public void UiText_Words() => Assert.Equal("Unable to contact", UiText.Words("UnableToContact"));
}
