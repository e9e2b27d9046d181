using System.Globalization;
using Bunit;
using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Web.Components.Shared;
using Reconnect.Workflows.Application.Referrals;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The referral form's live rules and its handling of the server's answers.</summary>
public class ReferralFormTests : MudTestContext
{
    private static readonly DateOnly Today = new(2026, 3, 2);
    private static readonly string[] Sites = ["LEI", "NHI", "WEI"];
    private readonly List<ReferralRequest> _submitted = [];

    private static string D(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, string> SiteNames = new() { ["LEI"] = "HMP Leeds", ["NHI"] = "HMP New Hall", ["WEI"] = "HMP Wealstun" };

    private IRenderedComponent<ReferralForm> RenderForm(CreateReferralResult? answer = null, string? defaultSite = null) => Render<ReferralForm>(p => p
        .Add(f => f.Sites, Sites)
        .Add(f => f.SiteNames, SiteNames)
        .Add(f => f.DefaultSite, defaultSite)
        .Add(f => f.Today, Today)
        .Add(f => f.CanOpenCase, true)
        .Add(f => f.Submit, request =>
        {
            _submitted.Add(request);
            return Task.FromResult(answer ?? new CreateReferralResult.Created("r1", "i1", null, "Triage", "LEI-2026-0001"));
        }));

    private static string FieldText(IRenderedComponent<ReferralForm> cut, string inputId) =>
        cut.Find($"#{inputId}").Closest(".mud-input-control")!.TextContent;

    [Fact]
    public void TypingAReleaseDate_ShowsTheWindowsOpenAndCloseDates()
    {
        var cut = RenderForm();
        Assert.Contains("once the release date is entered", cut.Find("#window-dates").TextContent);

        var release = Today.AddDays(40);
        cut.Find("#releaseDate").Input(D(release));

        var window = ReferralWindow.For(release);
        var text = cut.Find("#window-dates").TextContent;
        Assert.Contains("Window opens " + D(window.Opens), text);
        Assert.Contains("Window closes " + D(window.Closes), text);
        Assert.Equal("true", cut.Find("[data-rule='Referral window']").GetAttribute("data-met"));
    }

    [Fact]
    public void AReleaseDateFarAhead_PutsTheWindowMessageUnderTheReferralDate()
    {
        var cut = RenderForm();
        cut.Find("#releaseDate").Input(D(Today.AddDays(120)));
        Assert.Contains("outside the referral window", FieldText(cut, "referralDate"));
        Assert.Equal("false", cut.Find("[data-rule='Referral window']").GetAttribute("data-met"));
    }

    [Fact]
    public void SeventeenOnTheReleaseDate_ShowsTheAgeMessageUnderDateOfBirth()
    {
        var cut = RenderForm();
        var release = Today.AddDays(30);
        cut.Find("#releaseDate").Input(D(release));
        cut.Find("#dateOfBirth").Input(D(release.AddYears(-18).AddDays(1))); // 18 the day after release

        Assert.Contains("must be 18 or over on the release date", FieldText(cut, "dateOfBirth"));
        Assert.Equal("false", cut.Find("[data-rule='Age']").GetAttribute("data-met"));

        cut.Find("#dateOfBirth").Input(D(release.AddYears(-18)));  // 18 on the day
        Assert.DoesNotContain("must be 18", FieldText(cut, "dateOfBirth"));
        Assert.Equal("true", cut.Find("[data-rule='Age']").GetAttribute("data-met"));
    }

    [Fact]
    public void UntouchedFields_ShowNoMessagesYet_ButTheChecklistShowsEveryRule()
    {
        var cut = RenderForm();
        Assert.Empty(cut.FindAll(".mud-input-error"));
        Assert.Empty(cut.FindAll("#consent-error"));
        var rules = cut.FindAll("#rules li").Select(li => li.GetAttribute("data-rule")).ToList();
        Assert.Equal(["Referral window", "Age", "Health needs", "Site", "Consent"], rules);
        Assert.Equal("false", cut.Find("[data-rule='Consent']").GetAttribute("data-met"));
    }

    [Fact]
    public void ConsentUnchecked_ShowsTheConsentMessage()
    {
        var cut = RenderForm();
        var consent = cut.Find("#consent input[type=checkbox], input#consent");
        consent.Change(true);
        Assert.Empty(cut.FindAll("#consent-error"));
        Assert.Equal("true", cut.Find("[data-rule='Consent']").GetAttribute("data-met"));

        cut.Find("#consent input[type=checkbox], input#consent").Change(false);
        Assert.Contains("Consent to share must be given", cut.Find("#consent-error").TextContent);
    }

    [Fact]
    public void Submit_ShowsTheServersErrorsUnderTheirFields()
    {
        var cut = RenderForm(new CreateReferralResult.Invalid(new Dictionary<string, string[]>
        {
            ["person.prisonNumber"] = ["The server refused this prison number."],
            ["healthNeeds"] = ["At least one health need is required."],
        }));
        cut.Find("#prisonNumber").Input("A1234BC");
        cut.Find("#referral-submit").Click();

        Assert.Single(_submitted);
        Assert.Equal("A1234BC", _submitted[0].Person!.PrisonNumber);
        Assert.Contains("The server refused this prison number.", FieldText(cut, "prisonNumber"));
        Assert.Contains("At least one health need is required.", cut.Find("#healthNeeds-error").TextContent);
        Assert.Contains("not accepted", cut.Find("#referral-result").TextContent);

        // Editing the field drops the server's (now stale) answer for it.
        cut.Find("#prisonNumber").Input("A1234BD");
        Assert.DoesNotContain("The server refused", FieldText(cut, "prisonNumber"));
    }

    [Fact]
    public void Submit_Duplicate_LinksToTheOpenReferral()
    {
        var cut = RenderForm(new CreateReferralResult.Duplicate("open-123", "LEI-2026-0007"));
        cut.Find("#referral-submit").Click();
        Assert.Equal("/referrals/open-123", cut.Find("#open-referral-link").GetAttribute("href"));
    }

    [Fact]
    public void Submit_SendsEveryTypedField()
    {
        var cut = RenderForm();
        cut.Find("#givenName").Input("Sam");
        cut.Find("#familyName").Input("Example");
        cut.Find("#dateOfBirth").Input("1990-05-17");
        cut.Find("#nhsNumber").Input("943 476 5919");
        cut.Find("#releaseDate").Input(D(Today.AddDays(30)));
        cut.Find("#need-MentalHealth input[type=checkbox], input#need-MentalHealth").Change(true);
        cut.Find("#consentRecordedBy").Input("Nurse");
        cut.Find("#notes").Input("Prefers mornings.");
        cut.Find("#referral-submit").Click();

        var sent = Assert.Single(_submitted);
        Assert.Equal("Sam", sent.Person!.GivenName);
        Assert.Equal("Example", sent.Person.FamilyName);
        Assert.Equal("1990-05-17", sent.Person.DateOfBirth);
        Assert.Equal("943 476 5919", sent.Person.NhsNumber);
        Assert.Equal(D(Today.AddDays(30)), sent.ReleaseDate);
        Assert.Equal(D(Today), sent.ReferralDate);
        Assert.Equal(["MentalHealth"], sent.HealthNeeds);
        Assert.Equal("Nurse", sent.Consent!.RecordedBy);
        Assert.Equal("Prefers mornings.", sent.Notes);
        Assert.Contains("Referral LEI-2026-0001 accepted", cut.Find("#referral-result").TextContent);
    }

    [Fact]
    public void AReferralDateOutsideTheWindow_ReleaseDateSaysTheEarliestAndLatestReferralDates()
    {
        var cut = RenderForm();
        var release = Today.AddDays(120); // today is 36 days before the window opens
        cut.Find("#releaseDate").Input(D(release));

        var window = ReferralWindow.For(release);
        var text = FieldText(cut, "releaseDate");
        Assert.Contains($"the earliest referral date is {D(window.Opens)}", text);
        Assert.Contains($"the latest is {D(window.Closes)}", text);

        // Inside the window the message goes.
        cut.Find("#releaseDate").Input(D(Today.AddDays(30)));
        Assert.DoesNotContain("earliest referral date", FieldText(cut, "releaseDate"));
        // A release long past: the latest date is the one that matters.
        var past = Today.AddDays(-40);
        cut.Find("#releaseDate").Input(D(past));
        Assert.Contains($"the latest is {D(ReferralWindow.For(past).Closes)}", FieldText(cut, "releaseDate"));
    }

    [Fact]
    public void PrisonNumber_IsCheckedAsYouType()
    {
        var cut = RenderForm();
        cut.Find("#prisonNumber").Input("A12");
        Assert.Contains("a letter, four digits and two letters", FieldText(cut, "prisonNumber"));
        cut.Find("#prisonNumber").Input("a1234bc"); // the domain accepts lower case and upper-cases it
        Assert.DoesNotContain("must be", FieldText(cut, "prisonNumber"));
        cut.Find("#prisonNumber").Input("A1234B7");
        Assert.Contains("a letter, four digits and two letters", FieldText(cut, "prisonNumber"));
    }

    [Fact]
    public void Sites_AreShownByName_AndSentByCode()
    {
        var cut = RenderForm(defaultSite: "LEI");
        Assert.Contains("HMP Leeds", cut.Find("[data-rule='Site']").TextContent);
        Assert.DoesNotContain("Site LEI", cut.Find("[data-rule='Site']").TextContent);
        Assert.Contains("HMP Leeds", cut.Markup);
        cut.Find("#referral-submit").Click();
        Assert.Equal("LEI", Assert.Single(_submitted).Site);
    }

    [Fact]
    public void Submit_Accepted_ClearsTheFormAndShowsTheReference()
    {
        var cut = RenderForm(defaultSite: "LEI");
        cut.Find("#givenName").Input("Sam");
        cut.Find("#familyName").Input("Example");
        cut.Find("#prisonNumber").Input("A1234BC");
        cut.Find("#releaseDate").Input(D(Today.AddDays(30)));
        cut.Find("#need-MentalHealth input[type=checkbox], input#need-MentalHealth").Change(true);
        cut.Find("#notes").Input("Prefers mornings.");
        cut.Find("#referral-submit").Click();

        Assert.Equal("LEI-2026-0001", cut.Find("#referral-reference").TextContent);
        Assert.Contains("accepted", cut.Find("#referral-result").TextContent);
        Assert.Equal("/referrals/r1", cut.Find("#created-case-link").GetAttribute("href"));
        Assert.Equal("", cut.Find("#givenName").GetAttribute("value") ?? "");
        Assert.Equal("", cut.Find("#prisonNumber").GetAttribute("value") ?? "");
        Assert.Equal("", cut.Find("#releaseDate").GetAttribute("value") ?? "");
        Assert.Equal(D(Today), cut.Find("#referralDate").GetAttribute("value"));
        Assert.Empty(cut.FindAll(".mud-input-error"));
        Assert.Equal("false", cut.Find("[data-rule='Health needs']").GetAttribute("data-met"));

        // Typing the next referral takes the message away.
        cut.Find("#givenName").Input("Alex");
        Assert.Empty(cut.FindAll("#referral-result"));
    }
}
