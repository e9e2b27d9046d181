namespace Reconnect.Workflows.Referrals.Eligibility;

/// <summary>
/// The referral window: from 12 weeks (84 days) before release to 28 days after it, both ends inclusive, in
/// Europe/London dates (SPEC §2).
/// </summary>
public sealed record ReferralWindow(DateOnly Opens, DateOnly Closes)
{
    public const int DaysBeforeRelease = 84;
    public const int DaysAfterRelease = 28;

    public static ReferralWindow For(DateOnly releaseDate) =>
        new(releaseDate.AddDays(-DaysBeforeRelease), releaseDate.AddDays(DaysAfterRelease));

    public bool Contains(DateOnly date) => date >= Opens && date <= Closes;

    /// <summary>Release dates the service can hold: 1900–2999 (the window, follow-ups and measures add days to them).</summary>
    public static readonly DateOnly EarliestRelease = new(1900, 1, 1), LatestRelease = new(2999, 12, 31);

    public static bool IsPlausible(DateOnly releaseDate) => releaseDate >= EarliestRelease && releaseDate <= LatestRelease;
}
