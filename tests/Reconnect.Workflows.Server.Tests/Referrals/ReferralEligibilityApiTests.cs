using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using static Reconnect.Workflows.Server.Tests.Referrals.ReferralKit;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>SPEC §2 eligibility through <c>POST /api/referrals</c>, every boundary, dates from the server's own today.</summary>
public class ReferralEligibilityApiTests
{
    [Fact]
    public async Task Create_WindowBoundaries_BothEndsInclusiveOneDayPastRefused()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var today = app.Today();

        // Window opens release − 84: referred on the day it opens, accepted; one day earlier, refused.
        var opens = await client.CreateReferralAsync(Body(today, PrisonNumber(1), releaseDate: today.AddDays(84)));
        Assert.Equal(D(today), opens["window"]!["opens"].Str());
        Assert.Equal(D(today.AddDays(112)), opens["window"]!["closes"].Str());
        Assert.Equal(["referralDate"], await (await client.PostJsonAsync(ReferralsUrl, Body(today, PrisonNumber(2), releaseDate: today.AddDays(85)))).ErrorKeysAsync());

        // Window closes release + 28: referred on the day it closes, accepted; one day later, refused.
        var closes = await client.CreateReferralAsync(Body(today, PrisonNumber(3), releaseDate: today.AddDays(-28)));
        Assert.Equal(D(today), closes["window"]!["closes"].Str());
        Assert.Equal(["referralDate"], await (await client.PostJsonAsync(ReferralsUrl, Body(today, PrisonNumber(4), releaseDate: today.AddDays(-29)))).ErrorKeysAsync());

        // The same boundaries with an explicit referral date in the past.
        var release = today.AddDays(10);
        var explicitOpens = Body(today, PrisonNumber(5), releaseDate: release);
        explicitOpens["referralDate"] = D(release.AddDays(-84));
        await client.CreateReferralAsync(explicitOpens);
        var explicitEarly = Body(today, PrisonNumber(6), releaseDate: release);
        explicitEarly["referralDate"] = D(release.AddDays(-85));
        Assert.Equal(["referralDate"], await (await client.PostJsonAsync(ReferralsUrl, explicitEarly)).ErrorKeysAsync());
    }

    [Fact]
    public async Task Create_EighteenthBirthdayAroundReleaseDate_AcceptedOnOrBeforeRefusedAfter()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var today = app.Today();
        var release = today.AddDays(30);

        JsonObject WithBirth(int n, DateOnly born)
        {
            var body = Body(today, PrisonNumber(n), releaseDate: release);
            body["person"]!["dateOfBirth"] = D(born);
            return body;
        }

        await client.CreateReferralAsync(WithBirth(10, release.AddYears(-18)));              // 18 on the release date
        await client.CreateReferralAsync(WithBirth(11, release.AddYears(-18).AddDays(-1)));  // 18 the day before
        var after = await client.PostJsonAsync(ReferralsUrl, WithBirth(12, release.AddYears(-18).AddDays(1)));
        Assert.Equal(["person.dateOfBirth"], await after.ErrorKeysAsync());

        // Remand with no release date: age on the referral date.
        var remand = WithBirth(13, today.AddYears(-18).AddDays(1));
        remand.Remove("releaseDate");
        remand["releaseType"] = "Remand";
        Assert.Equal(["person.dateOfBirth"], await (await client.PostJsonAsync(ReferralsUrl, remand)).ErrorKeysAsync());
    }

    [Fact]
    public async Task Create_RemandWithoutReleaseDate_AcceptedWithNoWindow()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var body = Body(app.Today(), PrisonNumber(20), releaseType: "Remand");
        body.Remove("releaseDate");

        var created = await client.CreateReferralAsync(body);

        Assert.True(created.ContainsKey("window"));
        Assert.Null(created["window"]);
        Assert.False(string.IsNullOrEmpty(created["workflowInstanceId"].Str()));
    }

    [Fact]
    public async Task Create_ReferralDateInFuture_Refused()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var today = app.Today();
        var body = Body(today, PrisonNumber(30));
        body["referralDate"] = D(today.AddDays(1));

        Assert.Equal(["referralDate"], await (await client.PostJsonAsync(ReferralsUrl, body)).ErrorKeysAsync());

        body["referralDate"] = D(today);
        await client.CreateReferralAsync(body);
    }

    [Fact]
    public async Task Create_EachRequiredFieldMissing_ItsKeyInErrors()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.NavigatorLeeds);
        var today = app.Today();
        var cases = new (string Key, Action<JsonObject> Break)[]
        {
            ("person", b => b.Remove("person")),
            ("person.givenName", b => b["person"]!.AsObject().Remove("givenName")),
            ("person.familyName", b => b["person"]!["familyName"] = "  "),
            ("person.dateOfBirth", b => b["person"]!.AsObject().Remove("dateOfBirth")),
            ("person.prisonNumber", b => b["person"]!.AsObject().Remove("prisonNumber")),
            ("person.prisonNumber", b => b["person"]!["prisonNumber"] = "12345"),
            ("person.nhsNumber", b => b["person"]!["nhsNumber"] = "9434765918"),
            ("site", b => b.Remove("site")),
            ("site", b => b["site"] = "XYZ"),
            ("releaseDate", b => b.Remove("releaseDate")),
            ("releaseDate", b => b["releaseDate"] = "31/12/2030"),
            ("releaseType", b => b.Remove("releaseType")),
            ("referralSource", b => b.Remove("referralSource")),
            ("healthNeeds", b => b.Remove("healthNeeds")),
            ("healthNeeds", b => b["healthNeeds"] = new JsonArray()),
            ("healthNeeds", b => b["healthNeeds"] = new JsonArray("Dentistry")),
            ("consent", b => b.Remove("consent")),
            ("consent", b => b["consent"]!["given"] = false),
        };
        foreach (var (key, breakIt) in cases)
        {
            var body = Body(today, PrisonNumber(40));
            breakIt(body);
            var keys = await (await client.PostJsonAsync(ReferralsUrl, body)).ErrorKeysAsync();
            Assert.True(keys.SequenceEqual([key]), $"{body.ToJsonString()}: expected [{key}], got [{string.Join(", ", keys)}]");
        }
        // A valid NHS number (modulus 11) is accepted.
        var valid = Body(today, PrisonNumber(41));
        valid["person"]!["nhsNumber"] = "943 476 5919";
        await client.CreateReferralAsync(valid);
    }

    [Fact]
    public async Task Create_EveryRuleBroken_AllReportedAtOnce()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var today = app.Today();
        var release = today.AddDays(200); // today is outside the window
        var body = new JsonObject
        {
            ["person"] = new JsonObject
            {
                ["givenName"] = "Sam", ["familyName"] = "Example", ["dateOfBirth"] = D(release.AddYears(-17)),
                ["prisonNumber"] = "ZZ", ["nhsNumber"] = "1234567890",
            },
            ["site"] = "Durham",
            ["releaseDate"] = D(release),
            ["releaseType"] = "ConditionalRelease",
            ["referralSource"] = "Self",
            ["healthNeeds"] = new JsonArray(),
            ["consent"] = new JsonObject { ["given"] = false },
        };

        var problem = await (await client.PostJsonAsync(ReferralsUrl, body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);

        var keys = problem["errors"]!.AsObject().Select(e => e.Key).ToHashSet();
        Assert.Superset(keys, new HashSet<string> { "referralDate", "person.dateOfBirth", "person.prisonNumber", "person.nhsNumber", "site", "healthNeeds", "consent" });
    }

    [Fact]
    public async Task Create_MalformedOrWrongTypes_400Problem()
    {
        await using var app = await ReconnectApp.StartAsync(workflowsFolder: ReconnectApp.RepositoryWorkflows);
        var client = await app.LoginAsync(ReconnectApp.Referrer);
        var today = app.Today();

        var notJson = await client.PostAsync(ReferralsUrl, new StringContent("{\"person\": ", Encoding.UTF8, "application/json"));
        await notJson.ProblemAsync(HttpStatusCode.BadRequest);

        var wrongType = Body(today);
        wrongType["healthNeeds"] = "MentalHealth";
        var problem = await (await client.PostJsonAsync(ReferralsUrl, wrongType)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["healthNeeds"]);

        var consentText = Body(today);
        consentText["consent"]!["given"] = "yes";
        await (await client.PostJsonAsync(ReferralsUrl, consentText)).ProblemAsync(HttpStatusCode.BadRequest);

        var unknownField = Body(today);
        unknownField["ethnicity"] = "x";
        await (await client.PostJsonAsync(ReferralsUrl, unknownField)).ProblemAsync(HttpStatusCode.BadRequest);

        await (await client.PostJsonAsync(ReferralsUrl, null)).ProblemAsync(HttpStatusCode.BadRequest);
    }
}
