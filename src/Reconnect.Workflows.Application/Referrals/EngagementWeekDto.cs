using System.Text.Json.Serialization;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>
/// One week of the 21-day engagement measure by week of release: referrals released from <see cref="WeekStarting"/>
/// (a Monday) to <see cref="WeekEnding"/> (the Sunday, or today for the current week), and how many of them engaged.
/// </summary>
public sealed record EngagementWeekDto(
    DateOnly WeekStarting,
    DateOnly WeekEnding,
    int Numerator,
    int Denominator,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Share);
