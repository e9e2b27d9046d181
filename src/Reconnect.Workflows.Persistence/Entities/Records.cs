using Microsoft.AspNetCore.Identity;

namespace Reconnect.Workflows.Persistence.Entities;

/// <summary>One version of a definition. <see cref="Json"/> is the whole Elsa-shaped document.</summary>
public sealed class WorkflowDefinitionRecord
{
    /// <summary>The version's own id (Elsa's <c>id</c>).</summary>
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public int Version { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public bool IsPublished { get; set; }
    public bool IsLatest { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public string? CreatedBy { get; set; }
    /// <summary>The cron expression of its start activity when it starts on a schedule: published versions with one get a Quartz trigger.</summary>
    public string? CronTrigger { get; set; }
    /// <summary>SHA-256 of the file it was imported from, so start-up import is idempotent.</summary>
    public string? SourceHash { get; set; }
    public required string Json { get; set; }
}

/// <summary>An instance: its state as JSON (without the journal, which has its own table) and a version for optimistic concurrency.</summary>
public sealed class WorkflowInstanceRecord
{
    public required string Id { get; set; }
    public required string DefinitionId { get; set; }
    public int DefinitionVersion { get; set; }
    public required string DefinitionVersionId { get; set; }
    public string? CorrelationId { get; set; }
    public required string Status { get; set; }
    public required string StateJson { get; set; }
    public long Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed class BookmarkRecord
{
    public required string Id { get; set; }
    public required string InstanceId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string Name { get; set; }
    public required string Hash { get; set; }
    public string? CorrelationId { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? PayloadJson { get; set; }
}

public sealed class JournalEntryRecord
{
    public long Id { get; set; }
    public required string InstanceId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public string? ActivityId { get; set; }
    public string? ActivityType { get; set; }
    public string? DetailJson { get; set; }
}

public sealed class IncidentRecord
{
    public long Id { get; set; }
    public required string InstanceId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string Message { get; set; }
    public string? ExceptionType { get; set; }
}

/// <summary>A human task (inbox). The referral domain fills <see cref="Site"/>, <see cref="Assignee"/> and <see cref="SubjectId"/>.</summary>
public sealed class WorkflowTaskRecord
{
    public required string Id { get; set; }
    public required string InstanceId { get; set; }
    public required string BookmarkId { get; set; }
    public required string ActivityId { get; set; }
    public required string ActivityType { get; set; }
    public required string Title { get; set; }
    public string? Description { get; set; }
    public required string OutcomesJson { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public required string Status { get; set; }
    public string? Outcome { get; set; }
    public string? Notes { get; set; }
    public string? Site { get; set; }
    public string? Assignee { get; set; }
    public string? SubjectId { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    /// <summary>The role a task waits on when it has no assignee (Navigator: the site's queue; Manager: the managers').</summary>
    public string? AssigneeRole { get; set; }
    /// <summary>Set by the daily check once the task is past its due date (the API also computes it live).</summary>
    public bool IsOverdue { get; set; }
    /// <summary>When a manager task was raised because this task was long overdue (once per task).</summary>
    public DateTimeOffset? EscalatedAt { get; set; }
    /// <summary>When the task is escalated if still open: its due time plus the activity's <c>escalateAfter</c> (default two days).</summary>
    public DateTimeOffset? EscalateAt { get; set; }
    public string? CompletedBy { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? DataJson { get; set; }
}

/// <summary>An event published by a committed step, waiting to be delivered.</summary>
public sealed class OutboxMessageRecord
{
    public long Id { get; set; }
    public required string EventName { get; set; }
    public string? CorrelationId { get; set; }
    public string? PayloadJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
}

/// <summary>Who did what to which thing, and when. Never the person's name or health data in <see cref="DetailJson"/>.</summary>
public sealed class AuditEntryRecord
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string? UserId { get; set; }
    public string? UserName { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public string? EntityId { get; set; }
    public string? DetailJson { get; set; }
}

/// <summary>One run of a schedule (the timer dispatcher or a cron-started workflow): what it did, for the schedules page.</summary>
public sealed class ScheduleRunRecord
{
    public long Id { get; set; }
    public required string ScheduleName { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public bool Succeeded { get; set; }
    public int ItemsTouched { get; set; }
    public string? Message { get; set; }
    public string? Node { get; set; }
}

/// <summary>
/// A referral (SPEC §2). It holds personal and health data: readable only through the audited referral API, never
/// written to logs. <see cref="OpenPrisonNumber"/> is the prison number while open (null once closed), so a unique
/// index keeps one open referral per prison number on every provider.
/// </summary>
public sealed class ReferralRecord
{
    public required string Id { get; set; }
    /// <summary>The short human reference, <c>LEI-2026-0042</c> (<see cref="ReferenceCounterRecord"/>); unique, never changes.</summary>
    public required string Reference { get; set; }
    public required string WorkflowInstanceId { get; set; }
    public required string PrisonNumber { get; set; }
    public string? OpenPrisonNumber { get; set; }
    public required string GivenName { get; set; }
    public required string FamilyName { get; set; }
    public DateOnly DateOfBirth { get; set; }
    public string? NhsNumber { get; set; }
    public required string Site { get; set; }
    public DateOnly? ReleaseDate { get; set; }
    public required string ReleaseType { get; set; }
    public required string ReferralSource { get; set; }
    public required string HealthNeedsJson { get; set; }
    public bool ConsentGiven { get; set; }
    public string? ConsentRecordedBy { get; set; }
    public DateTimeOffset ConsentRecordedAt { get; set; }
    public DateOnly ReferralDate { get; set; }
    public string? Notes { get; set; }
    public required string Stage { get; set; }
    public string? ClosureReason { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public DateOnly? ReleasedOn { get; set; }
    public string? NavigatorId { get; set; }
    public DateOnly? SupportExtendedUntil { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// The last sequence number given to a referral of one site in one year. Incremented by one atomic upsert in the
/// transaction that writes the referral (<see cref="ReferenceCounters"/>), so the row lock orders concurrent referrals.
/// </summary>
public sealed class ReferenceCounterRecord
{
    public required string Site { get; set; }
    public int Year { get; set; }
    public int Last { get; set; }
}

/// <summary>One line of a referral's history: created, stage, event, assigned, closed. Detail holds no names or health data.</summary>
public sealed class ReferralHistoryRecord
{
    public long Id { get; set; }
    public required string ReferralId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public required string Summary { get; set; }
    public string? DetailJson { get; set; }
    public string? By { get; set; }
}

/// <summary>An account. Navigators belong to a site.</summary>
public sealed class ApplicationUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public string? Site { get; set; }
    /// <summary>When an admin deactivated the account (null: active). A deactivated account cannot sign in; its tokens and cookies stop working.</summary>
    public DateTimeOffset? DeactivatedAt { get; set; }
    /// <summary>The password is a one-time temporary one (or was reset): nothing but changing it works until it is changed.</summary>
    public bool MustChangePassword { get; set; }
}

/// <summary>
/// A member of staff's absence: UK dates, both ends included, and who covers (null: their site's queue). The
/// <see cref="CoverStartedAt"/> and <see cref="CoverEndedAt"/> stamps make the start and end of cover happen once.
/// </summary>
public sealed class StaffAbsenceRecord
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public string? CoverUserId { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CoverStartedAt { get; set; }
    public DateTimeOffset? CoverEndedAt { get; set; }
}

/// <summary>
/// A background job over many instances: a migration to another version, or a bulk cancel or retry. Each instance is
/// its own transaction; <see cref="Cursor"/> (the last instance id handled, ids grow with creation) lets a restarted job
/// continue where it stopped. <see cref="PlanJson"/> holds what the job was asked to do.
/// </summary>
public sealed class MigrationJobRecord
{
    public required string Id { get; set; }
    /// <summary><c>migrate</c>, <c>cancel</c> or <c>retry</c>.</summary>
    public required string Kind { get; set; }
    public string? DefinitionId { get; set; }
    public int? FromVersion { get; set; }
    public int? ToVersion { get; set; }
    public required string PlanJson { get; set; }
    /// <summary><c>Running</c>, <c>Completed</c> or <c>Failed</c>.</summary>
    public required string Status { get; set; }
    public int Total { get; set; }
    public int Migrated { get; set; }
    public int Failed { get; set; }
    /// <summary><c>[{instanceId, message}]</c>, the first hundred.</summary>
    public string ErrorsJson { get; set; } = "[]";
    public string? Cursor { get; set; }
    public string? CreatedBy { get; set; }
    public string? CreatedByName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>An in-app notification for one person (the bell): what happened, in words for them, and where to look.</summary>
public sealed class NotificationRecord
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Kind { get; set; }
    public required string Text { get; set; }
    public string? Link { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}
