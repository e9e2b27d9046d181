using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Referrals.Tests;

public class EligibilityCheckerTests
{
    private static readonly string[] Sites = ["LEI", "NHI", "WEI"];
    private static readonly DateOnly Today = new(2027, 3, 1);

    /// <summary>A referral that passes every rule: release on 2027-04-01, referred today (31 days before).</summary>
    private static ReferralRequest Valid() => new()
    {
        Person = new PersonRequest { GivenName = "Sam", FamilyName = "Example", DateOfBirth = "1990-05-17", PrisonNumber = "A1234BC", NhsNumber = "943 476 5919" },
        Site = "LEI",
        ReleaseDate = "2027-04-01",
        ReleaseType = "ConditionalRelease",
        ReferralSource = "PrisonHealthcare",
        HealthNeeds = ["MentalHealth", "Medication"],
        Consent = new ConsentRequest { Given = true, RecordedBy = "nurse" },
        ReferralDate = "2027-03-01",
    };

    private static EligibilityResult Check(ReferralRequest request, DateOnly? today = null) => EligibilityChecker.Check(request, today ?? Today, Sites);

    [Fact]
    public void Check_ValidReferral_IsEligibleWithWindow()
    {
        var result = Check(Valid());
        Assert.True(result.IsEligible, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(new ReferralWindow(new DateOnly(2027, 1, 7), new DateOnly(2027, 4, 29)), result.Referral!.Window);
        Assert.Equal("9434765919", result.Referral.NhsNumber);
    }

    [Theory]
    [InlineData("2027-01-06", false)] // one day before the window opens (release − 85)
    [InlineData("2027-01-07", true)]  // release − 84: opens, inclusive
    [InlineData("2027-04-29", true)]  // release + 28: closes, inclusive
    [InlineData("2027-04-30", false)] // release + 29
    public void Check_ReferralDateAtWindowEdges_FollowsInclusiveWindow(string referralDate, bool eligible)
    {
        var result = Check(Valid() with { ReferralDate = referralDate }, today: new DateOnly(2027, 5, 31));
        Assert.Equal(eligible, result.IsEligible);
        if (!eligible) Assert.Contains("outside the referral window 2027-01-07 to 2027-04-29", Assert.Single(result.Errors["referralDate"]));
    }

    [Theory]
    [InlineData("2009-04-01", true)]  // 18th birthday on the release date
    [InlineData("2009-03-31", true)]  // the day before: 18 already
    [InlineData("2009-04-02", false)] // birthday the day after release: 17 on release day
    public void Check_EighteenthBirthdayAroundRelease_AgeOnReleaseDate(string dateOfBirth, bool eligible)
    {
        var result = Check(Valid() with { Person = Valid().Person! with { DateOfBirth = dateOfBirth } });
        Assert.Equal(eligible, result.IsEligible);
        if (!eligible) Assert.Contains("18 or over on the release date", Assert.Single(result.Errors["person.dateOfBirth"]));
    }

    [Fact]
    public void Check_RemandWithoutReleaseDate_IsAcceptedAndAgeTakenOnReferralDate()
    {
        var remand = Valid() with { ReleaseType = "Remand", ReleaseDate = null };
        Assert.True(Check(remand).IsEligible);
        Assert.Null(Check(remand).Referral!.Window);

        var young = remand with { Person = remand.Person! with { DateOfBirth = "2009-03-02" } };
        Assert.Contains("on the referral date", Assert.Single(Check(young).Errors["person.dateOfBirth"]));
    }

    [Fact]
    public void Check_NotRemandWithoutReleaseDate_IsAFieldError() =>
        Assert.Contains("Release date is required", Assert.Single(Check(Valid() with { ReleaseDate = null }).Errors["releaseDate"]));

    [Fact]
    public void Check_ReferralDateInFuture_IsRejected() =>
        Assert.Contains("cannot be in the future", Assert.Single(Check(Valid() with { ReferralDate = "2027-03-02" }).Errors["referralDate"]));

    [Fact]
    public void Check_ReferralDateMissing_DefaultsToToday() =>
        Assert.Equal(Today, Check(Valid() with { ReferralDate = null }).Referral!.ReferralDate);

    [Fact]
    public void Check_EverythingWrong_ReportsEveryFieldAtOnce()
    {
        var result = Check(new ReferralRequest
        {
            Person = new PersonRequest { DateOfBirth = "17/05/1990", PrisonNumber = "12345", NhsNumber = "9434765918" },
            Site = "XYZ",
            ReleaseType = "Parole",
            ReferralSource = "Police",
            HealthNeeds = [],
            Consent = new ConsentRequest { Given = false },
        });
        Assert.Equal(
            ["consent", "healthNeeds", "person.dateOfBirth", "person.familyName", "person.givenName", "person.nhsNumber", "person.prisonNumber", "referralSource", "releaseType", "site"],
            result.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("person")]
    [InlineData("site")]
    [InlineData("releaseType")]
    [InlineData("referralSource")]
    [InlineData("healthNeeds")]
    [InlineData("consent")]
    [InlineData("person.givenName")]
    [InlineData("person.familyName")]
    [InlineData("person.dateOfBirth")]
    [InlineData("person.prisonNumber")]
    public void Check_FieldMissing_IsReportedUnderItsPath(string field)
    {
        var request = field switch
        {
            "person" => Valid() with { Person = null },
            "site" => Valid() with { Site = null },
            "releaseType" => Valid() with { ReleaseType = null },
            "referralSource" => Valid() with { ReferralSource = null },
            "healthNeeds" => Valid() with { HealthNeeds = null },
            "consent" => Valid() with { Consent = null },
            "person.givenName" => Valid() with { Person = Valid().Person! with { GivenName = " " } },
            "person.familyName" => Valid() with { Person = Valid().Person! with { FamilyName = null } },
            "person.dateOfBirth" => Valid() with { Person = Valid().Person! with { DateOfBirth = null } },
            "person.prisonNumber" => Valid() with { Person = Valid().Person! with { PrisonNumber = null } },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var result = Check(request);
        Assert.False(result.IsEligible);
        Assert.Contains(field, result.Errors.Keys);
    }

    [Theory]
    [InlineData("9434765919", true)]
    [InlineData("943 476 5919", true)]
    [InlineData("943-476-5919", true)]
    [InlineData("9434765918", false)] // wrong check digit
    [InlineData("4010232137", true)]
    [InlineData("1234567890", false)] // remainder gives 10: never valid
    [InlineData("943476591", false)]
    [InlineData("94347659190", false)]
    [InlineData("abcdefghij", false)]
    public void IsNhsNumber_Modulus11(string value, bool valid) => Assert.Equal(valid, Identifiers.IsNhsNumber(value));

    [Theory]
    [InlineData("A1234BC", true)]
    [InlineData("a1234bc", false)]
    [InlineData("AB1234C", false)]
    [InlineData("A123BC", false)]
    public void IsPrisonNumber_Format(string value, bool valid) => Assert.Equal(valid, Identifiers.IsPrisonNumber(value));

    [Fact]
    public void Check_LowerCasePrisonNumber_IsNormalised() =>
        Assert.Equal("A1234BC", Check(Valid() with { Person = Valid().Person! with { PrisonNumber = " a1234bc " } }).Referral!.PrisonNumber);

    [Theory]
    [InlineData("2000-02-29", "2018-02-28", 17)]
    [InlineData("2000-02-29", "2018-03-01", 18)]
    [InlineData("2000-01-01", "2018-01-01", 18)]
    public void AgeOn_Birthdays(string born, string on, int age) =>
        Assert.Equal(age, EligibilityChecker.AgeOn(DateOnly.Parse(born, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(on, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Check_EnumNumbers_AreNotAccepted() =>
        Assert.Contains("releaseType", Check(Valid() with { ReleaseType = "1" }).Errors.Keys);
}
