using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Reconnect.Workflows.Persistence;

/// <summary>SQLite (the default). Instants are stored as UTC ticks so that SQL can compare and order them.</summary>
public sealed class SqliteReconnectDbContext(DbContextOptions<SqliteReconnectDbContext> options) : ReconnectDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        LondonDates.MapForSqlite(builder, this.GetService<IRelationalTypeMappingSource>());
    }
}

/// <summary>
/// PostgreSQL. Npgsql writes <c>timestamptz</c> only from UTC values and throws on any other offset; the engine's instants
/// can carry London's offset (a StartAt date in summer is 00:00+01:00), so every instant is turned to UTC on the way in.
/// </summary>
public sealed class PostgresReconnectDbContext(DbContextOptions<PostgresReconnectDbContext> options) : ReconnectDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcConverter>();
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        LondonDates.MapForPostgres(builder, this.GetService<IRelationalTypeMappingSource>());
    }
}

public sealed class SqlServerReconnectDbContext(DbContextOptions<SqlServerReconnectDbContext> options) : ReconnectDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // SQL Server's unique index admits one NULL only: filter closed referrals out.
        builder.Entity<Entities.ReferralRecord>().HasIndex(x => x.OpenPrisonNumber).IsUnique().HasFilter("[OpenPrisonNumber] IS NOT NULL");
        LondonDates.MapForSqlServer(builder, this.GetService<IRelationalTypeMappingSource>());
    }
}

/// <summary>UTC ticks: ordering in SQL matches ordering in time; the offset is always zero on the way back.</summary>
public sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));

/// <summary>The same instant at offset zero (PostgreSQL's <c>timestamptz</c> keeps no offset anyway).</summary>
public sealed class DateTimeOffsetToUtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    v => v.ToUniversalTime(),
    v => v);

// Design-time factories so that `dotnet ef migrations add` works per provider without the server.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteReconnectDbContext>
{
    public SqliteReconnectDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteReconnectDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresReconnectDbContext>
{
    public PostgresReconnectDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresReconnectDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerReconnectDbContext>
{
    public SqlServerReconnectDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerReconnectDbContext>().UseSqlServer("Server=localhost;Database=design;Trusted_Connection=True;TrustServerCertificate=True").Options);
}
