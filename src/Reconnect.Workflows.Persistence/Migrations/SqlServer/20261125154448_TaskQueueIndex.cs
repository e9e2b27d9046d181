using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class TaskQueueIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Site_Assignee_Status_DueAt",
                table: "Tasks",
                columns: new[] { "Site", "Assignee", "Status", "DueAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tasks_Site_Assignee_Status_DueAt",
                table: "Tasks");
        }
    }
}
