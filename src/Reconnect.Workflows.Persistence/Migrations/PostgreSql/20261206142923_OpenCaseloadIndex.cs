using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class OpenCaseloadIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Referrals_NavigatorId",
                table: "Referrals");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_NavigatorId_ClosedAt",
                table: "Referrals",
                columns: new[] { "NavigatorId", "ClosedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Referrals_NavigatorId_ClosedAt",
                table: "Referrals");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_NavigatorId",
                table: "Referrals",
                column: "NavigatorId");
        }
    }
}
