namespace Reconnect.Workflows.Persistence.Tests;

/// <summary>
/// Every test runs on SQLite and on PostgreSQL. PostgreSQL needs RECONNECT_TEST_POSTGRES (./test.sh starts a cluster and
/// sets it); without it those tests FAIL with that message rather than skip, so a green run always covered both.
/// </summary>
public static class Providers
{
    public static TheoryData<string> Both => new() { DatabaseProviders.Sqlite, DatabaseProviders.PostgreSql };
}
