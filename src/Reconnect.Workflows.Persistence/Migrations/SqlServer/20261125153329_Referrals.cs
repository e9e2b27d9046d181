using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reconnect.Workflows.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class Referrals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AssigneeRole",
                table: "Tasks",
                type: "nvarchar(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EscalatedAt",
                table: "Tasks",
                type: "datetimeoffset",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsOverdue",
                table: "Tasks",
                type: "bit",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "ReferralHistory",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ReferralId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    Kind = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    Summary = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: false),
                    DetailJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    By = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralHistory", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Referrals",
                columns: table => new
                {
                    Id = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    WorkflowInstanceId = table.Column<string>(type: "nvarchar(64)", maxLength: 64, nullable: false),
                    PrisonNumber = table.Column<string>(type: "nvarchar(7)", maxLength: 7, nullable: false),
                    OpenPrisonNumber = table.Column<string>(type: "nvarchar(7)", maxLength: 7, nullable: true),
                    GivenName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    FamilyName = table.Column<string>(type: "nvarchar(100)", maxLength: 100, nullable: false),
                    DateOfBirth = table.Column<DateOnly>(type: "date", nullable: false),
                    NhsNumber = table.Column<string>(type: "nvarchar(10)", maxLength: 10, nullable: true),
                    Site = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    ReleaseDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ReleaseType = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    ReferralSource = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: false),
                    HealthNeedsJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    ConsentGiven = table.Column<bool>(type: "bit", nullable: false),
                    ConsentRecordedBy = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: true),
                    ConsentRecordedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ReferralDate = table.Column<DateOnly>(type: "date", nullable: false),
                    Notes = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    Stage = table.Column<string>(type: "nvarchar(20)", maxLength: 20, nullable: false),
                    ClosureReason = table.Column<string>(type: "nvarchar(40)", maxLength: 40, nullable: true),
                    ClosedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    ReleasedOn = table.Column<DateOnly>(type: "date", nullable: true),
                    NavigatorId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    SupportExtendedUntil = table.Column<DateOnly>(type: "date", nullable: true),
                    CreatedBy = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Referrals", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_Status_DueAt",
                table: "Tasks",
                columns: new[] { "Status", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralHistory_ReferralId_Id",
                table: "ReferralHistory",
                columns: new[] { "ReferralId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_NavigatorId",
                table: "Referrals",
                column: "NavigatorId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_OpenPrisonNumber",
                table: "Referrals",
                column: "OpenPrisonNumber",
                unique: true,
                filter: "[OpenPrisonNumber] IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_PrisonNumber",
                table: "Referrals",
                column: "PrisonNumber");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_ReleasedOn_Site",
                table: "Referrals",
                columns: new[] { "ReleasedOn", "Site" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_Site_Stage",
                table: "Referrals",
                columns: new[] { "Site", "Stage" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_WorkflowInstanceId",
                table: "Referrals",
                column: "WorkflowInstanceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ReferralHistory");

            migrationBuilder.DropTable(
                name: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_Status_DueAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "AssigneeRole",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "EscalatedAt",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "IsOverdue",
                table: "Tasks");
        }
    }
}
