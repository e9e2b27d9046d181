using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "ReferenceCounters",
                columns: table => new
                {
                    Site = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Year = table.Column<int>(type: "INTEGER", nullable: false),
                    Last = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceCounters", x => new { x.Site, x.Year });
                });

            // Existing referrals get references in the order they were made (per current site and referral year), and the
            // counters continue from there.
            migrationBuilder.Sql("""
                UPDATE "Referrals" SET "Reference" = (
                    SELECT n."Site" || '-' || substr(n."ReferralDate", 1, 4) || '-' || printf('%04d', n."N")
                    FROM (SELECT "Id", "Site", "ReferralDate",
                                 ROW_NUMBER() OVER (PARTITION BY "Site", substr("ReferralDate", 1, 4) ORDER BY "CreatedAt", "Id") AS "N"
                          FROM "Referrals") AS n
                    WHERE n."Id" = "Referrals"."Id");
                """);
            migrationBuilder.Sql("""
                INSERT INTO "ReferenceCounters" ("Site", "Year", "Last")
                SELECT "Site", CAST(substr("ReferralDate", 1, 4) AS INTEGER), COUNT(*) FROM "Referrals" GROUP BY "Site", substr("ReferralDate", 1, 4);
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
