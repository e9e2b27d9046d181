using System.Globalization;
using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Web.Components.Shared;

/// <summary>One eligibility rule's live state on the form: not yet known, met, or failed with the checker's message.</summary>
public sealed record RuleState(string Name, bool? Met, string Text);

/// <summary>
/// The referral form's values (text, as the API takes them) and the live rules: every change re-runs the pure
/// <see cref="EligibilityChecker"/>, and a field's messages show once the user has touched that field (or a field its
/// rule depends on), or tried to submit.
/// </summary>
public sealed class ReferralFormModel
{
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public string? DateOfBirth { get; set; }
    public string? PrisonNumber { get; set; }
    public string? NhsNumber { get; set; }
    public string? Site { get; set; }
    public string? ReleaseDate { get; set; }
    public string? ReleaseType { get; set; }
    public string? ReferralSource { get; set; }
    public HashSet<string> HealthNeeds { get; } = new(StringComparer.Ordinal);
    public bool ConsentGiven { get; set; }
    public string? ConsentRecordedBy { get; set; }
    public string? ReferralDate { get; set; }
    public string? Notes { get; set; }

    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);

    /// <summary>Which touched fields make a rule's messages show (the window is about the release date as much as the referral date).</summary>
    private static readonly Dictionary<string, string[]> Triggers = new(StringComparer.Ordinal)
    {
        ["referralDate"] = ["referralDate", "releaseDate"],
        ["releaseDate"] = ["releaseDate", "releaseType"],
        ["person.dateOfBirth"] = ["person.dateOfBirth"],
    };

    public bool Submitted { get; set; }
    public IReadOnlyDictionary<string, string[]> Errors { get; private set; } = new Dictionary<string, string[]>();
    public IReadOnlyDictionary<string, string[]> ServerErrors { get; set; } = new Dictionary<string, string[]>();

    public ReferralRequest ToRequest() => new()
    {
        Person = new PersonRequest
        {
            GivenName = GivenName, FamilyName = FamilyName, DateOfBirth = DateOfBirth, PrisonNumber = PrisonNumber,
            NhsNumber = string.IsNullOrWhiteSpace(NhsNumber) ? null : NhsNumber,
        },
        Site = Site,
        ReleaseDate = string.IsNullOrWhiteSpace(ReleaseDate) ? null : ReleaseDate,
        ReleaseType = ReleaseType,
        ReferralSource = ReferralSource,
        HealthNeeds = Enum.GetNames<HealthNeed>().Where(HealthNeeds.Contains).ToList(),
        Consent = new ConsentRequest { Given = ConsentGiven, RecordedBy = string.IsNullOrWhiteSpace(ConsentRecordedBy) ? null : ConsentRecordedBy.Trim() },
        ReferralDate = string.IsNullOrWhiteSpace(ReferralDate) ? null : ReferralDate,
        Notes = string.IsNullOrWhiteSpace(Notes) ? null : Notes,
    };

    /// <summary>A field changed: remember it, forget the server's answer (it was about the old values) and re-check.</summary>
    public void Touch(string field, DateOnly today, IReadOnlyCollection<string> sites)
    {
        _touched.Add(field);
        ServerErrors = new Dictionary<string, string[]>();
        Check(today, sites);
    }

    public EligibilityResult Check(DateOnly today, IReadOnlyCollection<string> sites)
    {
        var result = EligibilityChecker.Check(ToRequest(), today, sites);
        Errors = result.Errors;
        return result;
    }

    /// <summary>The messages to show under a field now: the server's after a submit, else the live ones once touched.</summary>
    public IReadOnlyList<string> MessagesFor(string field)
    {
        if (ServerErrors.TryGetValue(field, out var server)) return server;
        if (!Errors.TryGetValue(field, out var live)) return [];
        var triggers = Triggers.TryGetValue(field, out var t) ? t : [field];
        return Submitted || triggers.Any(_touched.Contains) ? live : [];
    }

    public string? MessageText(string field) => MessagesFor(field) is { Count: > 0 } m ? string.Join(" ", m) : null;

    /// <summary>
    /// Under the release date: when the referral date falls outside the window of the typed release date, the earliest
    /// and latest dates a referral for that release may be made (the window of <see cref="ReferralWindow"/>). Shown once
    /// either date was touched, or after a submit.
    /// </summary>
    public string? WindowMessage(DateOnly today)
    {
        if (Window is not { } window || !ReferralWindow.IsPlausible(ReleaseDateValue!.Value)) return null;
        var referralDate = string.IsNullOrWhiteSpace(ReferralDate) ? today : ParseDate(ReferralDate);
        if (referralDate is not { } made || made > today || window.Contains(made)) return null;
        if (!Submitted && !_touched.Contains("releaseDate") && !_touched.Contains("referralDate")) return null;
        return $"Outside the referral window: for release on {UiText.Date(ReleaseDateValue)}, the earliest referral date is {UiText.Date(window.Opens)} " +
            $"and the latest is {UiText.Date(window.Closes)} ({ReferralWindow.DaysBeforeRelease / 7} weeks before release to {ReferralWindow.DaysAfterRelease} days after).";
    }

    /// <summary>The values as one string (empty and missing alike), to tell an edit from a field repeating its value.</summary>
    public string Snapshot() => string.Join("\u001f", new[]
    {
        GivenName, FamilyName, DateOfBirth, PrisonNumber, NhsNumber, Site, ReleaseDate, ReleaseType, ReferralSource,
        string.Join(",", HealthNeeds.Order(StringComparer.Ordinal)), ConsentGiven ? "1" : "0", ConsentRecordedBy, ReferralDate, Notes,
    }.Select(v => string.IsNullOrEmpty(v) ? "" : v));

    /// <summary>Everything typed forgotten (after a referral was accepted): the form starts again at the given site and today.</summary>
    public void Reset(string? site, DateOnly today, IReadOnlyCollection<string> sites)
    {
        GivenName = FamilyName = DateOfBirth = PrisonNumber = NhsNumber = ReleaseDate = ReleaseType = ReferralSource = null;
        ConsentRecordedBy = Notes = null;
        ConsentGiven = false;
        HealthNeeds.Clear();
        Site = site;
        ReferralDate = UiText.Date(today);
        Submitted = false;
        _touched.Clear();
        ServerErrors = new Dictionary<string, string[]>();
        Check(today, sites);
    }

    public DateOnly? ReleaseDateValue => ParseDate(ReleaseDate);

    /// <summary>The window for the typed release date, shown beside it.</summary>
    public ReferralWindow? Window => ReleaseDateValue is { } release ? ReferralWindow.For(release) : null;

    /// <summary>The rules of SPEC §2 one by one, for the checklist beside the form.</summary>
    public IReadOnlyList<RuleState> Rules(DateOnly today, IReadOnlyCollection<string> sites, IReadOnlyDictionary<string, string>? siteNames = null)
    {
        var referralDate = ParseDate(ReferralDate) ?? today;
        var rules = new List<RuleState>();
        if (Window is { } window)
            rules.Add(window.Contains(referralDate)
                ? new RuleState("Referral window", true, $"The referral date {UiText.Date(referralDate)} is inside the window {UiText.Date(window.Opens)} to {UiText.Date(window.Closes)}.")
                : new RuleState("Referral window", false, $"The referral date {UiText.Date(referralDate)} is outside the window {UiText.Date(window.Opens)} to {UiText.Date(window.Closes)}."));
        else if (string.Equals(ReleaseType, nameof(Reconnect.Workflows.Referrals.Model.ReleaseType.Remand), StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(ReleaseDate))
            rules.Add(new RuleState("Referral window", true, "Remand with no release date: accepted, and the window applies once the date is known."));
        else rules.Add(new RuleState("Referral window", null, "Enter the release date to see the window (12 weeks before release to 28 days after)."));

        var born = ParseDate(DateOfBirth);
        var on = ReleaseDateValue ?? referralDate;
        var onWhat = ReleaseDateValue is null ? "the referral date" : "the release date";
        rules.Add(born is null
            ? new RuleState("Age", null, "Enter the date of birth: the person must be 18 or over on the release date.")
            : EligibilityChecker.AgeOn(born.Value, on) >= EligibilityChecker.MinimumAge
                ? new RuleState("Age", true, $"18 or over on {onWhat} ({UiText.Date(on)}).")
                : new RuleState("Age", false, $"Under 18 on {onWhat} ({UiText.Date(on)})."));
        rules.Add(HealthNeeds.Count > 0
            ? new RuleState("Health needs", true, $"{HealthNeeds.Count} chosen.")
            : new RuleState("Health needs", false, "Choose at least one health need."));
        rules.Add(string.IsNullOrWhiteSpace(Site)
            ? new RuleState("Site", false, "Choose the site.")
            : sites.Contains(Site, StringComparer.OrdinalIgnoreCase)
                ? new RuleState("Site", true, $"Site {(siteNames is not null && siteNames.TryGetValue(Site, out var name) ? name : Site)}.")
                : new RuleState("Site", false, $"'{Site}' is not a site of the service."));
        rules.Add(ConsentGiven
            ? new RuleState("Consent", true, "Consent to share is given.")
            : new RuleState("Consent", false, "Consent to share must be given and recorded."));
        return rules;
    }

    private static DateOnly? ParseDate(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
