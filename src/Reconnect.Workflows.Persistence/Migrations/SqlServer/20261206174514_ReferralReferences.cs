using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.SqlServer
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
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "ReferenceCounters",
                columns: table => new
                {
                    Site = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    Year = table.Column<int>(type: "int", nullable: false),
                    Last = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceCounters", x => new { x.Site, x.Year });
                });

            // Existing referrals get references in the order they were made (per current site and referral year), and the
            // counters continue from there.
            migrationBuilder.Sql("""
                WITH n AS (
                    SELECT [Reference], [Site], YEAR([ReferralDate]) AS [Y],
                           ROW_NUMBER() OVER (PARTITION BY [Site], YEAR([ReferralDate]) ORDER BY [CreatedAt], [Id]) AS [N]
                    FROM [Referrals])
                UPDATE n SET [Reference] = CONCAT([Site], '-', [Y], '-', FORMAT([N], 'D4'));
                """);
            migrationBuilder.Sql("""
                INSERT INTO [ReferenceCounters] ([Site], [Year], [Last])
                SELECT [Site], YEAR([ReferralDate]), COUNT(*) FROM [Referrals] GROUP BY [Site], YEAR([ReferralDate]);
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
