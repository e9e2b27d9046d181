using System.Data.Common;
using Npgsql;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// What the PostgreSQL connection gets when the operator's connection string does not say: Npgsql's automatic
/// preparation of the statements a node runs over and over (the commit writer's, instance loads, bookmark look-ups), so
/// that the server parses and plans each once per connection instead of once per call (bench/README.md,
/// <c>persisted-postgres</c>: resume +25%). An explicit <c>Max Auto Prepare</c> is kept: 0 turns it off, which a
/// PgBouncer in transaction mode before 1.21 needs (docs/persistence.md).
/// </summary>
public static class PostgresConnectionDefaults
{
    /// <summary>Npgsql's <c>Max Auto Prepare</c> when none is given: more than the distinct statements a node runs often.</summary>
    public const int MaxAutoPrepare = 64;

    public static string Apply(string connectionString)
    {
        // Npgsql's builder answers ContainsKey for any keyword it knows; the plain builder holds only the keys given.
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
            return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = MaxAutoPrepare }.ConnectionString;
    }
}
