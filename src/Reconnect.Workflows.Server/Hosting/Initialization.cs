using Microsoft.Extensions.Options;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Hosting;

public static class Initialization
{
    /// <summary>Before serving: the database up to date, roles and demo accounts, the pathway files deployed.</summary>
    public static async Task InitializeReconnectAsync(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TestingOptions>>().Value.ClockControl && app.Environment.IsProduction())
            throw new InvalidOperationException("Testing:ClockControl is on in Production: refusing to start. Turn it off.");
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        await app.Services.GetRequiredService<WorkflowFileDeployer>().DeployAllAsync();
        foreach (var listener in app.Services.GetServices<IDefinitionChangeListener>()) await listener.OnStartupAsync();
        // Migration and bulk jobs that were running when the process stopped carry on (each instance is idempotent).
        var migrationScheduler = app.Services.GetRequiredService<Reconnect.Workflows.Application.Migrations.IMigrationJobScheduler>();
        foreach (var jobId in await app.Services.GetRequiredService<Reconnect.Workflows.Application.Migrations.MigrationJobs>().RunningAsync())
            await migrationScheduler.ScheduleAsync(jobId);
        // A living service on first run: synthetic referrals through the published pathway (never in Production).
        var seed = app.Services.GetRequiredService<IOptions<SeedOptions>>().Value;
        var referrals = seed.DemoReferrals ?? (app.Environment.IsDevelopment() ? 60 : 0);
        if ((seed.DemoData ?? app.Environment.IsDevelopment()) && referrals > 0 && !app.Environment.IsProduction())
            await app.Services.GetRequiredService<Reconnect.Workflows.Application.Demo.DemoReferralSeeder>().SeedAsync(referrals);
    }
}
