using Microsoft.EntityFrameworkCore;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// The next number of a site's referrals in a year: one statement that inserts the counter row at 1 or adds one to it
/// and returns the result, on the caller's connection and transaction. The statement takes the row's write lock until
/// the transaction ends, so two transactions (on one node or several) cannot get the same number, and a rolled-back
/// step gives its number back. SQLite and PostgreSQL: <c>INSERT … ON CONFLICT DO UPDATE … RETURNING</c>; SQL Server:
/// <c>MERGE … WITH (HOLDLOCK) … OUTPUT</c>.
/// </summary>
public static class ReferenceCounters
{
    public static async Task<int> NextAsync(ReconnectDbContext db, string site, int year, CancellationToken cancellationToken)
    {
        var numbers = db.Database.ProviderName?.Contains("SqlServer", StringComparison.Ordinal) == true
            ? db.Database.SqlQuery<int>($"""
                MERGE "ReferenceCounters" WITH (HOLDLOCK) AS t
                USING (SELECT {site} AS "Site", {year} AS "Year") AS s ON t."Site" = s."Site" AND t."Year" = s."Year"
                WHEN MATCHED THEN UPDATE SET "Last" = t."Last" + 1
                WHEN NOT MATCHED THEN INSERT ("Site", "Year", "Last") VALUES (s."Site", s."Year", 1)
                OUTPUT inserted."Last" AS "Value";
                """)
            : db.Database.SqlQuery<int>($"""
                INSERT INTO "ReferenceCounters" ("Site", "Year", "Last") VALUES ({site}, {year}, 1)
                ON CONFLICT ("Site", "Year") DO UPDATE SET "Last" = "ReferenceCounters"."Last" + 1
                RETURNING "Last" AS "Value"
                """);
        var next = await numbers.ToListAsync(cancellationToken);
        return next.Single();
    }
}
