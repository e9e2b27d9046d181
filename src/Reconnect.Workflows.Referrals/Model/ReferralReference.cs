using System.Globalization;

namespace Reconnect.Workflows.Referrals.Model;

/// <summary>
/// A referral's short human reference: the site code at referral, the year of the referral date and that site's
/// sequence number in that year, at least four digits — <c>LEI-2026-0042</c>. Shown to people; ids stay in URLs.
/// </summary>
public static class ReferralReference
{
    public static string Format(string site, int year, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{site}-{year:D4}-{sequence:D4}");
}
