using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Application.Referrals;

// Shapes of the referral API (SPEC §7; docs/referrals.md). Dates are DateOnly (YYYY-MM-DD), instants DateTimeOffset.
// The server leaves null fields out; fields a client tests for null are marked JsonIgnoreCondition.Never.

public sealed record WindowDto(DateOnly Opens, DateOnly Closes);

public sealed record ReferralCreatedDto(
    string Id,
    string Reference,
    string WorkflowInstanceId,
    string Stage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] WindowDto? Window);

public sealed record ReferralStageDto(string Stage);

public sealed record PersonDto(string GivenName, string FamilyName, DateOnly DateOfBirth, string PrisonNumber, string? NhsNumber);

public sealed record PersonSummaryDto(string GivenName, string FamilyName, string PrisonNumber);

public sealed record ConsentDto(bool Given, string? RecordedBy, DateTimeOffset RecordedAt)
{
    /// <summary>When <see cref="RecordedBy"/> is an account's id (the referral's maker by default), that person's display name.</summary>
    public string? RecordedByName { get; init; }
}

public sealed record NavigatorDto(string Id, string? DisplayName);

public sealed record HistoryDto(DateTimeOffset At, string Kind, string? Summary, string? By);

public sealed record TaskDto(
    string Id,
    string Title,
    string? ReferralId,
    string? Site,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Assignee,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? DueDate,
    bool Overdue,
    IReadOnlyList<string> Outcomes);

public sealed record TimerDto(string ActivityId, DateTimeOffset Due);

/// <summary>A referral as staff see it (navigators of its site, managers, admins).</summary>
public sealed record ReferralDetailDto(
    string Id,
    string Reference,
    string WorkflowInstanceId,
    string Stage,
    string Site,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? ReleaseDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] WindowDto? Window,
    string? ClosureReason,
    DateTimeOffset? ClosedAt,
    DateOnly? ReleasedOn,
    PersonDto Person,
    IReadOnlyList<string> HealthNeeds,
    string ReleaseType,
    string ReferralSource,
    DateOnly ReferralDate,
    ConsentDto Consent,
    string? Notes,
    NavigatorDto? Navigator,
    DateTimeOffset CreatedAt,
    IReadOnlyList<HistoryDto> History,
    IReadOnlyList<TaskDto> OpenTasks,
    IReadOnlyList<TimerDto> Timers)
{
    /// <summary>What comes next, oldest first: open tasks, waiting timers and, before release, the post-release steps (<see cref="CaseStory.NextStepsAsync"/>).</summary>
    public IReadOnlyList<NextStepDto> NextSteps { get; init; } = [];

    /// <summary>The case's story in words, newest first (<see cref="CaseStory.HistoryAsync"/>).</summary>
    public IReadOnlyList<StoryLineDto> Story { get; init; } = [];
}

/// <summary>A referral as its referrer sees it: status only (no person, no health data, history kinds without detail).</summary>
public sealed record ReferralStatusDto(
    string Id,
    string Reference,
    string Stage,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] WindowDto? Window,
    string? ClosureReason,
    DateOnly ReferralDate,
    DateTimeOffset CreatedAt,
    IReadOnlyList<HistoryDto>? History);

/// <summary>One row of the staff list.</summary>
public sealed record ReferralSummaryDto(
    string Id,
    string Reference,
    string WorkflowInstanceId,
    string Stage,
    string Site,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateOnly? ReleaseDate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] WindowDto? Window,
    string? ClosureReason,
    DateOnly ReferralDate,
    PersonSummaryDto Person,
    string? NavigatorId,
    DateTimeOffset CreatedAt);

/// <summary>A page of the list: staff get <see cref="ReferralSummaryDto"/>, referrers <see cref="ReferralStatusDto"/>.</summary>
public sealed record ReferralPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, bool HasMore);

public sealed record SiteStageCount(string Site, string Stage, int Count);

public sealed record SiteCount([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Site, int Count);

public sealed record OverdueTasksDto(int Count, IReadOnlyList<SiteCount> BySite);

public sealed record EngagementMeasureDto(
    DateOnly From,
    DateOnly To,
    int Numerator,
    int Denominator,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Share,
    NationalReferenceDto National);

/// <summary>The national figure beside ours: England's rate for <see cref="Period"/>, the target, and where they come from.</summary>
public sealed record NationalReferenceDto(double Rate, string Period, double Target, string Source);

public sealed record MeasuresDto(
    DateTimeOffset AsOf,
    int OpenReferralsTotal,
    IReadOnlyList<SiteStageCount> OpenReferrals,
    OverdueTasksDto OverdueTasks,
    EngagementMeasureDto Engagement21);
