using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Persistence;

/// <summary>
/// The one database: workflow tables, inbox tasks, outbox, audit and accounts (ASP.NET Core Identity). Each provider
/// has a subclass with its own migrations (<see cref="SqliteReconnectDbContext"/>, …); Quartz's QRTZ_* tables live in the
/// same database, created by Quartz's own schema scripts.
/// </summary>
public abstract class ReconnectDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core data-protection keys, shared by every node (cookies and bearer tokens made on one are read on another).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<WorkflowDefinitionRecord> WorkflowDefinitions => Set<WorkflowDefinitionRecord>();
    public DbSet<WorkflowInstanceRecord> WorkflowInstances => Set<WorkflowInstanceRecord>();
    public DbSet<BookmarkRecord> Bookmarks => Set<BookmarkRecord>();
    public DbSet<JournalEntryRecord> JournalEntries => Set<JournalEntryRecord>();
    public DbSet<IncidentRecord> Incidents => Set<IncidentRecord>();
    public DbSet<WorkflowTaskRecord> Tasks => Set<WorkflowTaskRecord>();
    public DbSet<OutboxMessageRecord> Outbox => Set<OutboxMessageRecord>();
    public DbSet<AuditEntryRecord> AuditEntries => Set<AuditEntryRecord>();
    public DbSet<ScheduleRunRecord> ScheduleRuns => Set<ScheduleRunRecord>();
    public DbSet<ReferralRecord> Referrals => Set<ReferralRecord>();
    public DbSet<ReferralHistoryRecord> ReferralHistory => Set<ReferralHistoryRecord>();
    public DbSet<ReferenceCounterRecord> ReferenceCounters => Set<ReferenceCounterRecord>();
    public DbSet<StaffAbsenceRecord> StaffAbsences => Set<StaffAbsenceRecord>();
    public DbSet<MigrationJobRecord> MigrationJobs => Set<MigrationJobRecord>();
    public DbSet<NotificationRecord> Notifications => Set<NotificationRecord>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<WorkflowDefinitionRecord>(e =>
        {
            e.ToTable("WorkflowDefinitions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(100);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.CreatedBy).HasMaxLength(256);
            e.Property(x => x.CronTrigger).HasMaxLength(200);
            e.Property(x => x.SourceHash).HasMaxLength(64);
            e.HasIndex(x => new { x.DefinitionId, x.Version }).IsUnique();
            e.HasIndex(x => new { x.DefinitionId, x.IsPublished });
        });

        builder.Entity<WorkflowInstanceRecord>(e =>
        {
            e.ToTable("WorkflowInstances");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.DefinitionVersionId).HasMaxLength(100);
            e.Property(x => x.CorrelationId).HasMaxLength(200);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => new { x.Status, x.UpdatedAt });
            e.HasIndex(x => x.CorrelationId);
            e.HasIndex(x => new { x.DefinitionId, x.Status });
        });

        builder.Entity<BookmarkRecord>(e =>
        {
            e.ToTable("Bookmarks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.InstanceId).HasMaxLength(64);
            e.Property(x => x.ActivityId).HasMaxLength(100);
            e.Property(x => x.ActivityType).HasMaxLength(100);
            e.Property(x => x.Name).HasMaxLength(20);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.CorrelationId).HasMaxLength(200);
            // What stimuli look up: the key (with correlation), due timers, an instance's own.
            e.HasIndex(x => new { x.Hash, x.CorrelationId });
            e.HasIndex(x => x.DueAt);
            e.HasIndex(x => x.InstanceId);
        });

        builder.Entity<JournalEntryRecord>(e =>
        {
            e.ToTable("JournalEntries");
            e.HasKey(x => x.Id);
            e.Property(x => x.InstanceId).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.ActivityId).HasMaxLength(100);
            e.Property(x => x.ActivityType).HasMaxLength(100);
            e.HasIndex(x => new { x.InstanceId, x.Id });
            e.HasIndex(x => new { x.Kind, x.At });
        });

        builder.Entity<IncidentRecord>(e =>
        {
            e.ToTable("Incidents");
            e.HasKey(x => x.Id);
            e.Property(x => x.InstanceId).HasMaxLength(64);
            e.Property(x => x.ActivityId).HasMaxLength(100);
            e.Property(x => x.ActivityType).HasMaxLength(100);
            e.Property(x => x.Message).HasMaxLength(2000);
            e.Property(x => x.ExceptionType).HasMaxLength(200);
            e.HasIndex(x => x.InstanceId);
        });

        builder.Entity<WorkflowTaskRecord>(e =>
        {
            e.ToTable("Tasks");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.InstanceId).HasMaxLength(64);
            e.Property(x => x.BookmarkId).HasMaxLength(64);
            e.Property(x => x.ActivityId).HasMaxLength(100);
            e.Property(x => x.ActivityType).HasMaxLength(100);
            e.Property(x => x.Title).HasMaxLength(300);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Outcome).HasMaxLength(100);
            e.Property(x => x.Site).HasMaxLength(20);
            e.Property(x => x.Assignee).HasMaxLength(256);
            e.Property(x => x.SubjectId).HasMaxLength(64);
            e.Property(x => x.ClaimedBy).HasMaxLength(256);
            e.Property(x => x.CompletedBy).HasMaxLength(256);
            e.Property(x => x.AssigneeRole).HasMaxLength(20);
            // The inbox: a person's open tasks by due date, a site's unclaimed ones, a case's tasks.
            e.HasIndex(x => new { x.Assignee, x.Status, x.DueAt });
            e.HasIndex(x => new { x.Site, x.Status, x.DueAt });
            // A site's unclaimed queue (Assignee IS NULL) by due date, without reading the site's assigned tasks (TaskInboxQuery).
            e.HasIndex(x => new { x.Site, x.Assignee, x.Status, x.DueAt });
            e.HasIndex(x => new { x.Status, x.DueAt });
            e.HasIndex(x => x.SubjectId);
            e.HasIndex(x => x.InstanceId);
            // Escalation: the open tasks whose time has come; the managers' "Needs attention" list.
            e.HasIndex(x => new { x.Status, x.EscalateAt });
            e.HasIndex(x => new { x.Status, x.EscalatedAt });
        });

        builder.Entity<OutboxMessageRecord>(e =>
        {
            e.ToTable("Outbox");
            e.HasKey(x => x.Id);
            e.Property(x => x.EventName).HasMaxLength(200);
            e.Property(x => x.CorrelationId).HasMaxLength(200);
        });

        builder.Entity<AuditEntryRecord>(e =>
        {
            e.ToTable("AuditEntries");
            e.HasKey(x => x.Id);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.UserName).HasMaxLength(256);
            e.Property(x => x.Action).HasMaxLength(100);
            e.Property(x => x.EntityType).HasMaxLength(100);
            e.Property(x => x.EntityId).HasMaxLength(100);
            e.HasIndex(x => new { x.EntityType, x.EntityId });
            e.HasIndex(x => x.At);
        });

        builder.Entity<ScheduleRunRecord>(e =>
        {
            e.ToTable("ScheduleRuns");
            e.HasKey(x => x.Id);
            e.Property(x => x.ScheduleName).HasMaxLength(200);
            e.Property(x => x.Message).HasMaxLength(2000);
            e.Property(x => x.Node).HasMaxLength(200);
            e.HasIndex(x => new { x.ScheduleName, x.StartedAt });
        });

        builder.Entity<MigrationJobRecord>(e =>
        {
            e.ToTable("MigrationJobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(20);
            e.Property(x => x.DefinitionId).HasMaxLength(100);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Cursor).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(450);
            e.Property(x => x.CreatedByName).HasMaxLength(256);
            // Start-up looks for jobs still running.
            e.HasIndex(x => x.Status);
        });

        builder.Entity<ReferralRecord>(e =>
        {
            e.ToTable("Referrals");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.WorkflowInstanceId).HasMaxLength(64);
            e.Property(x => x.Reference).HasMaxLength(32);
            e.HasIndex(x => x.Reference).IsUnique();
            e.Property(x => x.PrisonNumber).HasMaxLength(7);
            e.Property(x => x.OpenPrisonNumber).HasMaxLength(7);
            e.Property(x => x.GivenName).HasMaxLength(100);
            e.Property(x => x.FamilyName).HasMaxLength(100);
            e.Property(x => x.NhsNumber).HasMaxLength(10);
            e.Property(x => x.Site).HasMaxLength(20);
            e.Property(x => x.ReleaseType).HasMaxLength(40);
            e.Property(x => x.ReferralSource).HasMaxLength(40);
            e.Property(x => x.ConsentRecordedBy).HasMaxLength(256);
            e.Property(x => x.Notes).HasMaxLength(4000);
            e.Property(x => x.Stage).HasMaxLength(20);
            e.Property(x => x.ClosureReason).HasMaxLength(40);
            e.Property(x => x.NavigatorId).HasMaxLength(450);
            e.Property(x => x.CreatedBy).HasMaxLength(450);
            // One open referral per prison number: unique among non-null values on SQLite and PostgreSQL; SQL Server
            // needs the filter spelled out (it allows one NULL only), set in its context.
            e.HasIndex(x => x.OpenPrisonNumber).IsUnique();
            e.HasIndex(x => x.PrisonNumber);
            e.HasIndex(x => new { x.Site, x.Stage });
            // A navigator's open caseload (assignment balances it): COUNT over (NavigatorId = n, ClosedAt IS NULL), read from
            // the index alone, whatever the number of referrals in the service.
            e.HasIndex(x => new { x.NavigatorId, x.ClosedAt });
            e.HasIndex(x => x.WorkflowInstanceId);
            e.HasIndex(x => new { x.ReleasedOn, x.Site });
        });

        builder.Entity<ReferenceCounterRecord>(e =>
        {
            e.ToTable("ReferenceCounters");
            e.HasKey(x => new { x.Site, x.Year });
            e.Property(x => x.Site).HasMaxLength(20);
        });

        builder.Entity<ReferralHistoryRecord>(e =>
        {
            e.ToTable("ReferralHistory");
            e.HasKey(x => x.Id);
            e.Property(x => x.ReferralId).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.Summary).HasMaxLength(300);
            e.Property(x => x.By).HasMaxLength(256);
            e.HasIndex(x => new { x.ReferralId, x.Id });
        });

        builder.Entity<ApplicationUser>(e =>
        {
            e.Property(x => x.DisplayName).HasMaxLength(200);
            e.Property(x => x.Site).HasMaxLength(20);
        });

        builder.Entity<StaffAbsenceRecord>(e =>
        {
            e.ToTable("StaffAbsences");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.CoverUserId).HasMaxLength(450);
            e.Property(x => x.CreatedBy).HasMaxLength(450);
            // A person's absences by date; whom someone covers.
            e.HasIndex(x => new { x.UserId, x.To });
            e.HasIndex(x => x.CoverUserId);
        });

        builder.Entity<NotificationRecord>(e =>
        {
            e.ToTable("Notifications");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.UserId).HasMaxLength(450);
            e.Property(x => x.Kind).HasMaxLength(40);
            e.Property(x => x.Text).HasMaxLength(500);
            e.Property(x => x.Link).HasMaxLength(300);
            // A person's newest first; their unread count.
            e.HasIndex(x => new { x.UserId, x.At });
            e.HasIndex(x => new { x.UserId, x.ReadAt });
        });
    }
}
