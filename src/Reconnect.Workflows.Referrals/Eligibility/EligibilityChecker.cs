using System.Globalization;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Referrals.Eligibility;

/// <summary>The outcome of checking a referral: the parsed referral, or every failed rule by field (JSON path).</summary>
public sealed record EligibilityResult(ValidReferral? Referral, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsEligible => Errors.Count == 0;
}

/// <summary>
/// Every rule of SPEC §2, all checked at once, each failure a message under the JSON path of its field
/// (<c>referralDate</c> for the window, <c>person.dateOfBirth</c> for age, …). Pure: today comes in as an argument.
/// The one-open-referral-per-prison-number rule needs the database and is checked by the caller.
/// </summary>
public static class EligibilityChecker
{
    public const int MinimumAge = 18;
    public const int MaxNameLength = 100;
    public const int MaxNotesLength = 4000;

    public static EligibilityResult Check(ReferralRequest request, DateOnly today, IReadOnlyCollection<string> knownSites)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        var person = request.Person;
        if (person is null) Add("person", "The person is required.");
        var givenName = RequiredText(person?.GivenName, "person.givenName", "Given name", MaxNameLength, person is not null, Add);
        var familyName = RequiredText(person?.FamilyName, "person.familyName", "Family name", MaxNameLength, person is not null, Add);

        DateOnly? dateOfBirth = null;
        if (person is not null)
        {
            if (string.IsNullOrWhiteSpace(person.DateOfBirth)) Add("person.dateOfBirth", "Date of birth is required.");
            else if (!TryDate(person.DateOfBirth, out var dob)) Add("person.dateOfBirth", $"'{person.DateOfBirth}' is not a date (YYYY-MM-DD).");
            else if (dob > today) Add("person.dateOfBirth", "Date of birth cannot be in the future.");
            else dateOfBirth = dob;
        }

        string? prisonNumber = null;
        if (person is not null)
        {
            if (string.IsNullOrWhiteSpace(person.PrisonNumber)) Add("person.prisonNumber", "Prison number is required.");
            else if (!Identifiers.IsPrisonNumber(Identifiers.NormalizePrisonNumber(person.PrisonNumber)))
                Add("person.prisonNumber", "Prison number must be a letter, four digits and two letters, like A1234BC.");
            else prisonNumber = Identifiers.NormalizePrisonNumber(person.PrisonNumber);
        }

        string? nhsNumber = null;
        if (!string.IsNullOrWhiteSpace(person?.NhsNumber))
        {
            if (Identifiers.NormalizeNhsNumber(person.NhsNumber) is null) Add("person.nhsNumber", "NHS number must be 10 digits.");
            else if (!Identifiers.IsNhsNumber(person.NhsNumber)) Add("person.nhsNumber", "NHS number is not valid: its check digit does not match.");
            else nhsNumber = Identifiers.NormalizeNhsNumber(person.NhsNumber);
        }

        string? site = null;
        if (string.IsNullOrWhiteSpace(request.Site)) Add("site", "Site is required.");
        else if (knownSites.FirstOrDefault(s => string.Equals(s, request.Site.Trim(), StringComparison.OrdinalIgnoreCase)) is { } known) site = known;
        else Add("site", $"'{request.Site}' is not a known site ({string.Join(", ", knownSites)}).");

        ReleaseType? releaseType = null;
        if (string.IsNullOrWhiteSpace(request.ReleaseType)) Add("releaseType", "Release type is required.");
        else if (TryEnum<ReleaseType>(request.ReleaseType, out var rt)) releaseType = rt;
        else Add("releaseType", $"'{request.ReleaseType}' is not a release type ({string.Join(", ", Enum.GetNames<ReleaseType>())}).");

        DateOnly? releaseDate = null;
        if (!string.IsNullOrWhiteSpace(request.ReleaseDate))
        {
            if (TryDate(request.ReleaseDate, out var rd) && ReferralWindow.IsPlausible(rd)) releaseDate = rd;
            else if (TryDate(request.ReleaseDate, out _)) Add("releaseDate", $"'{request.ReleaseDate}' is not a release date between 1900 and 2999.");
            else Add("releaseDate", $"'{request.ReleaseDate}' is not a date (YYYY-MM-DD).");
        }
        else if (releaseType is not null && releaseType != ReleaseType.Remand)
        {
            Add("releaseDate", "Release date is required (it may be left out only for remand).");
        }

        ReferralSource? source = null;
        if (string.IsNullOrWhiteSpace(request.ReferralSource)) Add("referralSource", "Referral source is required.");
        else if (TryEnum<ReferralSource>(request.ReferralSource, out var rs)) source = rs;
        else Add("referralSource", $"'{request.ReferralSource}' is not a referral source ({string.Join(", ", Enum.GetNames<ReferralSource>())}).");

        var needs = new List<HealthNeed>();
        if (request.HealthNeeds is null || request.HealthNeeds.Count == 0) Add("healthNeeds", "At least one health need is required.");
        else
        {
            foreach (var need in request.HealthNeeds)
            {
                if (TryEnum<HealthNeed>(need, out var parsed)) { if (!needs.Contains(parsed)) needs.Add(parsed); }
                else Add("healthNeeds", $"'{need}' is not a health need ({string.Join(", ", Enum.GetNames<HealthNeed>())}).");
            }
        }

        if (request.Consent?.Given != true) Add("consent", "Consent to share must be given and recorded before a referral can be accepted.");

        var referralDate = today;
        var referralDateValid = true;
        if (!string.IsNullOrWhiteSpace(request.ReferralDate))
        {
            if (!TryDate(request.ReferralDate, out referralDate)) { Add("referralDate", $"'{request.ReferralDate}' is not a date (YYYY-MM-DD)."); referralDateValid = false; }
            else if (referralDate > today) { Add("referralDate", "The referral date cannot be in the future."); referralDateValid = false; }
        }

        ReferralWindow? window = null;
        if (releaseDate is { } release)
        {
            window = ReferralWindow.For(release);
            if (referralDateValid && !window.Contains(referralDate))
                Add("referralDate", $"The referral date {Format(referralDate)} is outside the referral window {Format(window.Opens)} to {Format(window.Closes)} " +
                    "(12 weeks before release to 28 days after, inclusive).");
        }

        if (dateOfBirth is { } born)
        {
            var on = releaseDate ?? referralDate;
            if (AgeOn(born, on) < MinimumAge)
                Add("person.dateOfBirth", releaseDate is null
                    ? $"The person must be {MinimumAge} or over on the referral date ({Format(on)})."
                    : $"The person must be {MinimumAge} or over on the release date ({Format(on)}).");
        }

        if (request.Notes is { Length: > MaxNotesLength }) Add("notes", $"Notes are limited to {MaxNotesLength} characters.");

        var frozen = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (frozen.Count > 0) return new EligibilityResult(null, frozen);
        return new EligibilityResult(new ValidReferral(
            givenName!, familyName!, dateOfBirth!.Value, prisonNumber!, nhsNumber, site!, releaseDate, releaseType!.Value, source!.Value,
            needs, request.Consent?.RecordedBy, referralDate, request.Notes, window), frozen);
    }

    /// <summary>Whole years from birth to a date. In England a 29 February birthday falls on 1 March in common years.</summary>
    public static int AgeOn(DateOnly born, DateOnly on)
    {
        var age = on.Year - born.Year;
        var anniversary = born is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(on.Year)
            ? new DateOnly(on.Year, 3, 1)
            : born.AddYears(age);
        if (on < anniversary) age--;
        return age;
    }

    private static string? RequiredText(string? value, string field, string label, int max, bool parentPresent, Action<string, string> add)
    {
        if (!parentPresent) return null;
        if (string.IsNullOrWhiteSpace(value)) { add(field, $"{label} is required."); return null; }
        if (value.Trim().Length > max) { add(field, $"{label} is limited to {max} characters."); return null; }
        return value.Trim();
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static bool TryEnum<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && !int.TryParse(text, out _) && Enum.TryParse(text.Trim(), ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
