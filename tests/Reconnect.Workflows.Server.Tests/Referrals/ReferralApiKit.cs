using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Server.Tests.Api;
using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Referrals;

/// <summary>Referral bodies and small helpers for the referral API tests.</summary>
internal static class ReferralKit
{
    public const string ReferralsUrl = "/api/referrals";

    public static string D(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Today(this ReconnectApp app) => app.Service<ReferralService>().Today;

    /// <summary>A prison number in A1234BC form, distinct per <paramref name="n"/>.</summary>
    public static string PrisonNumber(int n) => $"A{n:0000}BC";

    /// <summary>A valid SPEC §7 body: released in 30 days, 35 years old, LEI.</summary>
    public static JsonObject Body(DateOnly today, string prisonNumber = "A1234BC", string site = "LEI", DateOnly? releaseDate = null, string releaseType = "ConditionalRelease") => new()
    {
        ["person"] = new JsonObject
        {
            ["givenName"] = "Sam", ["familyName"] = "Example", ["dateOfBirth"] = D(today.AddYears(-35)), ["prisonNumber"] = prisonNumber,
        },
        ["site"] = site,
        ["releaseDate"] = D(releaseDate ?? today.AddDays(30)),
        ["releaseType"] = releaseType,
        ["referralSource"] = "PrisonHealthcare",
        ["healthNeeds"] = new JsonArray("MentalHealth", "Medication"),
        ["consent"] = new JsonObject { ["given"] = true, ["recordedBy"] = "Prison healthcare nurse" },
        ["notes"] = "Prefers a morning call.",
    };

    /// <summary>Creates a referral and answers its body (201 asserted).</summary>
    public static async Task<JsonObject> CreateReferralAsync(this HttpClient client, JsonObject body) =>
        await (await client.PostJsonAsync(ReferralsUrl, body)).JsonAsync(HttpStatusCode.Created);

    public static async Task<JsonObject> GetReferralAsync(this HttpClient client, string id) =>
        await (await client.GetAsync($"{ReferralsUrl}/{id}")).JsonAsync(HttpStatusCode.OK);

    public static Task<HttpResponseMessage> EventAsync(this HttpClient client, string id, string eventName, JsonObject? body = null) =>
        client.PostJsonAsync($"{ReferralsUrl}/{id}/events/{eventName}", body ?? []);

    /// <summary>The 422's error keys, asserting the status and problem shape.</summary>
    public static async Task<string[]> ErrorKeysAsync(this HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        return problem["errors"]!.AsObject().Select(e => e.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
    }

    public static async Task<string> UserIdAsync(this ReconnectApp app, string email)
    {
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        return (await users.FindByEmailAsync(email))!.Id;
    }

    public static async Task<ReconnectDbContext> DbAsync(this ReconnectApp app) =>
        await app.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
}
