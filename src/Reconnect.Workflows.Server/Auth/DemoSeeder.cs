using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Persistence.Entities;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Server.Auth;

/// <summary>
/// Creates the roles always, and with <c>Seed:DemoData</c> (default on in Development) one user per role and one
/// navigator per site (SPEC §8). Idempotent: existing accounts are left as they are.
/// </summary>
public sealed class DemoSeeder(
    RoleManager<IdentityRole> roles,
    UserManager<ApplicationUser> users,
    IOptions<SeedOptions> seed,
    IOptions<ReconnectOptions> reconnect,
    IHostEnvironment environment,
    ILogger<DemoSeeder> logger)
{
    /// <summary>The five roles, always (also before the <c>create-admin</c> command).</summary>
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role {role}");
    }

    public async Task SeedAsync()
    {
        await EnsureRolesAsync();

        var demo = seed.Value.DemoData ?? environment.IsDevelopment();
        if (!demo) return;

        var accounts = new List<(string Email, string Role, string? Site, string Name)>
        {
            ("manager@reconnect.test", Roles.Manager, null, "Service manager"),
            ("scheduler@reconnect.test", Roles.Scheduler, null, "Scheduler"),
            ("referrer@reconnect.test", Roles.Referrer, null, "Referrer"),
            ("admin@reconnect.test", Roles.Admin, null, "Administrator"),
        };
        foreach (var site in reconnect.Value.Sites)
            accounts.Add(($"navigator.{site.Code.ToLowerInvariant()}@reconnect.test", Roles.Navigator, site.Code, $"Navigator ({site.Code})"));

        var created = 0;
        foreach (var (email, role, site, name) in accounts)
        {
            if (await users.FindByEmailAsync(email) is not null) continue;
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, Site = site };
            Check(await users.CreateAsync(user, seed.Value.Password), $"user {email}");
            Check(await users.AddToRoleAsync(user, role), $"role of {email}");
            created++;
        }
        if (created > 0) logger.LogInformation("Seeded {Count} demo accounts", created);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not create {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
