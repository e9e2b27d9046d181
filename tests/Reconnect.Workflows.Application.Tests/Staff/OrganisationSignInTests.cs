using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Application.Staff;
using Reconnect.Workflows.Application.Tests.Infrastructure;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Tests.Staff;

/// <summary>
/// <see cref="OrganisationSignIn"/> on each database (docs/security.md, "Sign-in through the organisation"): the first
/// sign-in matched by e-mail and linked, later ones by <c>sub</c>, one link when the same first sign-in arrives twice at once.
/// </summary>
public class OrganisationSignInTests
{
    private const string Provider = "OpenIdConnect";

    private static async Task<string> AccountAsync(ApplicationKit kit, string email)
    {
        await using var scope = kit.Services.CreateAsyncScope();
        var account = new ApplicationUser { UserName = email, Email = email, DisplayName = "Organisation person" };
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().CreateAsync(account)).Succeeded);
        return account.Id;
    }

    private static async Task<OrganisationSignInResult> MatchAsync(IServiceProvider services, ExternalIdentity identity)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OrganisationSignIn>().MatchAsync(identity, requireVerifiedEmail: true);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Match_FirstByEmailInAnotherCase_ThenBySubject_OneLinkAndAuditedEachTime(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var id = await AccountAsync(kit, "Org.Person@Reconnect.Test");

        var first = Assert.IsType<OrganisationSignInResult.Matched>(await MatchAsync(kit.Services, new(Provider, "sub-1", "org.person@reconnect.test", true)));
        var later = Assert.IsType<OrganisationSignInResult.Matched>(await MatchAsync(kit.Services, new(Provider, "sub-1", "renamed@reconnect.test", null)));
        var stranger = Assert.IsType<OrganisationSignInResult.Refused>(await MatchAsync(kit.Services, new(Provider, "sub-2", "nobody@reconnect.test", true)));

        Assert.Equal((id, true), (first.Account.Id, first.Linked));
        Assert.Equal((id, false), (later.Account.Id, later.Linked));
        Assert.Equal(SignInRefusals.NoAccount, stranger.Reason);
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        var login = Assert.Single(await db.UserLogins.ToListAsync());
        Assert.Equal((Provider, "sub-1", id), (login.LoginProvider, login.ProviderKey, login.UserId));
        var audit = await db.AuditEntries.AsNoTracking().Where(a => a.Action.StartsWith("sign-in") || a.Action == "login-link").ToListAsync();
        Assert.Equal(1, audit.Count(a => a.Action == "login-link" && a.UserId == id));
        Assert.Equal(2, audit.Count(a => a.Action == "sign-in" && a.UserId == id));
        var refused = Assert.Single(audit, a => a.Action == "sign-in-refused");
        Assert.Null(refused.UserId);
        Assert.DoesNotContain("nobody", refused.DetailJson!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData(ApplicationKit.Postgres)]
    public async Task Match_TheSameFirstSignInTwiceAtOnceOnTwoNodes_BothSignedInWithOneLink(string provider)
    {
        await using var kit = await ApplicationKit.StartAsync(provider);
        var id = await AccountAsync(kit, "twice@reconnect.test");
        await using var other = kit.NewNode();
        var identity = new ExternalIdentity(Provider, "sub-twice", "twice@reconnect.test", true);

        var results = await Task.WhenAll(MatchAsync(kit.Services, identity), MatchAsync(other, identity));

        Assert.All(results, r => Assert.Equal(id, Assert.IsType<OrganisationSignInResult.Matched>(r).Account.Id));
        await using var db = await kit.Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync();
        Assert.Single(await db.UserLogins.ToListAsync());
    }
}
