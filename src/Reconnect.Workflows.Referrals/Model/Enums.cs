namespace Reconnect.Workflows.Referrals.Model;

public enum ReleaseType
{
    ConditionalRelease,
    EndOfSentence,
    HomeDetentionCurfew,
    Remand,
    ReleaseOnTemporaryLicence,
    ImmigrationRemovalCentre,
    Other,
}

public enum ReferralSource
{
    PrisonHealthcare,
    SubstanceMisuse,
    OffenderManager,
    Self,
    FriendOrFamily,
}

public enum HealthNeed
{
    PhysicalHealth,
    MentalHealth,
    SubstanceMisuse,
    Medication,
    LearningDisability,
    Neurodiversity,
    Other,
}

/// <summary><c>Received → Triage → PreRelease → PostRelease → Closed</c>; PreRelease is skipped when referred after release.</summary>
public enum ReferralStage
{
    Received,
    Triage,
    PreRelease,
    PostRelease,
    Closed,
}

public enum ClosureReason
{
    NeedsMet,
    SixMonthLimit,
    DeclinedSupport,
    ConsentWithdrawn,
    UnableToContact,
    OutOfArea,
    Recalled,
    Ineligible,
    Other,
}
