using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Server.Workflows;

namespace Reconnect.Workflows.Server.Hosting;

public static class Initialization
{
    /// <summary>Before serving: the database up to date, roles and demo accounts, the pathway files deployed.</summary>
    public static async Task InitializeReconnectAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        await app.Services.GetRequiredService<WorkflowFileDeployer>().DeployAllAsync();
    }
}
