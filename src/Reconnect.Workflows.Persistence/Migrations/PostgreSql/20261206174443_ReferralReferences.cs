using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ReferralReferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Reference",
                table: "Referrals",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "ReferenceCounters",
                columns: table => new
                {
                    Site = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Year = table.Column<int>(type: "integer", nullable: false),
                    Last = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceCounters", x => new { x.Site, x.Year });
                });

            // Existing referrals get references in the order they were made (per current site and referral year), and the
            // counters continue from there.
            migrationBuilder.Sql("""
                UPDATE "Referrals" AS r
                SET "Reference" = n."Site" || '-' || n."Year"::text || '-' || lpad(n."N"::text, greatest(4, length(n."N"::text)), '0')
                FROM (SELECT "Id", "Site", EXTRACT(YEAR FROM "ReferralDate")::int AS "Year",
                             ROW_NUMBER() OVER (PARTITION BY "Site", EXTRACT(YEAR FROM "ReferralDate") ORDER BY "CreatedAt", "Id") AS "N"
                      FROM "Referrals") AS n
                WHERE r."Id" = n."Id";
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ReferenceCounters" ("Site", "Year", "Last")
                SELECT "Site", EXTRACT(YEAR FROM "ReferralDate")::int, COUNT(*) FROM "Referrals" GROUP BY "Site", EXTRACT(YEAR FROM "ReferralDate")::int;
                """);

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_Reference",
                table: "Referrals",
                column: "Reference",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReferenceCounters");

            migrationBuilder.DropIndex(
                name: "IX_Referrals_Reference",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "Referrals");
        }
    }
}
