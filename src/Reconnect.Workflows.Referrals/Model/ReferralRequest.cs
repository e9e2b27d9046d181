using Reconnect.Workflows.Referrals.Eligibility;

namespace Reconnect.Workflows.Referrals.Model;

/// <summary>The body of <c>POST /api/referrals</c> (SPEC §7). Enum-valued fields are text so that a wrong value is a field error, not a parse failure.</summary>
public sealed record ReferralRequest
{
    public PersonRequest? Person { get; init; }
    public string? Site { get; init; }
    public string? ReleaseDate { get; init; }
    public string? ReleaseType { get; init; }
    public string? ReferralSource { get; init; }
    public IReadOnlyList<string>? HealthNeeds { get; init; }
    public ConsentRequest? Consent { get; init; }
    public string? ReferralDate { get; init; }
    public string? Notes { get; init; }
}

public sealed record PersonRequest
{
    public string? GivenName { get; init; }
    public string? FamilyName { get; init; }
    public string? DateOfBirth { get; init; }
    public string? PrisonNumber { get; init; }
    public string? NhsNumber { get; init; }
}

public sealed record ConsentRequest
{
    public bool? Given { get; init; }
    public string? RecordedBy { get; init; }
}

/// <summary>A request that passed every rule, with its values parsed.</summary>
public sealed record ValidReferral(
    string GivenName,
    string FamilyName,
    DateOnly DateOfBirth,
    string PrisonNumber,
    string? NhsNumber,
    string Site,
    DateOnly? ReleaseDate,
    ReleaseType ReleaseType,
    ReferralSource ReferralSource,
    IReadOnlyList<HealthNeed> HealthNeeds,
    string? ConsentRecordedBy,
    DateOnly ReferralDate,
    string? Notes,
    ReferralWindow? Window);
