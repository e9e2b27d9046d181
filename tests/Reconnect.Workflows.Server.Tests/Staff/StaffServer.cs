using Reconnect.Workflows.Server.Tests.Infrastructure;

namespace Reconnect.Workflows.Server.Tests.Staff;

/// <summary>One server with the repository's pathways for the staff tests (each test makes its own accounts).</summary>
public sealed class StaffServer : IAsyncLifetime
{
    public ReconnectApp App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ReconnectApp.StartAsync("Sqlite", ReconnectApp.RepositoryWorkflows);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
