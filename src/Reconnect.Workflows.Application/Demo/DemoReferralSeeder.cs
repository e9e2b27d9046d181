using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Simulation;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Application.Demo;

/// <summary>
/// A first run that shows a living service: synthetic referrals made by running the real pathway through the
/// application's own services, on the seeder's own clock from each referral's date up to now — referrals created,
/// timers fired, tasks answered with a mix of outcomes (some left overdue), events sent, some closed for each reason a
/// pathway path can close — never by inserting rows. Releases spread over the last twelve weeks give the 21-day measure
/// values. Names are obviously synthetic; identifiers have valid check digits. Runs once, on an empty database.
/// </summary>
public sealed class DemoReferralSeeder(
    WorkflowRunner runner,
    IWorkflowDefinitionStore definitions,
    IWorkflowInstanceStore instances,
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    IOptions<ReconnectOptions> options,
    ILogger<DemoReferralSeeder> logger)
{
    /// <summary>How far back the seeder's clock starts: far enough for a six-month close.</summary>
    public const int HistoryDays = 215;

    private static readonly string[] GivenNames = ["Alex", "Sam", "Jordan", "Casey", "Robin", "Jamie", "Morgan", "Taylor", "Riley", "Charlie"];

    /// <summary>What happens to one synthetic person on the pathway.</summary>
    private enum Plan { Engaged, Declined, UnableToContact, ConsentWithdrawn, Recalled, OutOfArea, Overdue, SixMonths, Ineligible, ReleasedEarly }

    private sealed record Person(int Index, Plan Plan, DateOnly ReferralDate, DateOnly? ReleaseDate, string Site, string ReleaseType)
    {
        public string? Id { get; set; }
        public Random Dice { get; } = new(1000 + Index);
    }

    /// <summary>Seeds <paramref name="count"/> referrals unless the database already has any. Returns how many it made.</summary>
    public async Task<int> SeedAsync(int count, CancellationToken cancellationToken = default)
    {
        if (count <= 0) return 0;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            if (await db.Referrals.AnyAsync(cancellationToken)) return 0;

        var now = clock.GetUtcNow();
        var today = LondonTime.Today(now);
        var people = PlanCaseload(count, today);
        var simulated = new ManualClock(LondonTime.AtLondonTime(today.AddDays(-HistoryDays), new TimeOnly(6, 0)));
        var simulatedTime = new ControllableTimeProvider(simulated);
        var runtime = new WorkflowRuntime(runner, definitions, instances, simulated);
        var service = new ReferralService(runtime, definitions, instances, contexts, simulatedTime, options, new ReferralReads(contexts, simulatedTime));
        var referrer = await ReferrerIdAsync(cancellationToken);

        var made = 0;
        for (var day = today.AddDays(-HistoryDays); day <= today; day = day.AddDays(1))
        {
            foreach (var (hour, minute) in new[] { (7, 0), (8, 5), (9, 5), (12, 0), (17, 0), (23, 0) })
            {
                // Today's hours still to come happen now, so the demo is the same whatever the hour it starts: a referral
                // dated today is made (at noon it would be in the future before 12:00) and today's tasks are answered.
                var at = LondonTime.AtLondonTime(day, new TimeOnly(hour, minute));
                if (at > now) at = now;
                simulated.Set(at);
                while (await runtime.DispatchDueTimersAsync(500, cancellationToken) > 0) { }
                if (hour == 12)
                {
                    foreach (var person in people.Where(p => p.ReferralDate == day))
                    {
                        if (await service.CreateAsync(Request(person), referrer, cancellationToken) is CreateReferralResult.Created created)
                        {
                            person.Id = created.ReferralId;
                            made++;
                        }
                        else logger.LogWarning("Demo referral {Index} was not accepted", person.Index);
                    }
                    await SendEventsAsync(service, people, day, cancellationToken);
                }
                if (hour == 17) await AnswerTasksAsync(runtime, people, day, today, cancellationToken);
            }
        }
        simulated.Set(now);
        logger.LogInformation("Seeded {Count} demo referrals by running the pathway over {Days} days", made, HistoryDays);
        return made;
    }

    /// <summary>
    /// The synthetic caseload: a plan per person, releases spread from about 28 weeks ago (six-month closes) through the
    /// last twelve weeks to a few weeks ahead, referral dates inside each window, the three sites in turn.
    /// </summary>
    private List<Person> PlanCaseload(int count, DateOnly today)
    {
        var sites = options.Value.Sites.Select(s => s.Code).ToList();
        Plan[] cycle = [Plan.Engaged, Plan.Engaged, Plan.Declined, Plan.Engaged, Plan.UnableToContact, Plan.ConsentWithdrawn, Plan.Engaged,
            Plan.Recalled, Plan.OutOfArea, Plan.Overdue, Plan.ReleasedEarly, Plan.Engaged, Plan.Ineligible, Plan.Engaged, Plan.SixMonths];
        var people = new List<Person>(count);
        for (var i = 0; i < count; i++)
        {
            var plan = cycle[i % cycle.Length];
            // Releases from 12 weeks ago to 4 weeks ahead, in steps; six-month plans about 28 weeks ago.
            var release = plan == Plan.SixMonths ? today.AddDays(-200 + i % 10) : today.AddDays(-84 + (i * 7 % 112));
            var referral = release.AddDays(-(14 + i * 5 % 40));
            if (i % cycle.Length == 13)
            {
                // Referred in the last days: first contact still to make (stage Triage).
                release = today.AddDays(20 + i % 10);
                referral = today.AddDays(-(i % 2));
            }
            if (referral > today) referral = today;
            if (referral < today.AddDays(-HistoryDays + 1)) referral = today.AddDays(-HistoryDays + 1);
            DateOnly? known = release;
            var type = plan == Plan.ReleasedEarly ? nameof(ReleaseType.HomeDetentionCurfew) : (i % 3 == 0 ? nameof(ReleaseType.EndOfSentence) : nameof(ReleaseType.ConditionalRelease));
            if (plan == Plan.Ineligible)
            {
                known = null; // remand: the date comes later, outside the window
                type = nameof(ReleaseType.Remand);
                referral = today.AddDays(-30 - i % 20);
            }
            people.Add(new Person(i, plan, referral, known, sites[i % sites.Count], type));
        }
        return people;
    }

    private static ReferralRequest Request(Person p) => new()
    {
        Person = new PersonRequest
        {
            GivenName = GivenNames[p.Index % GivenNames.Length],
            FamilyName = $"Example-{p.Index + 1:00}",
            DateOfBirth = new DateOnly(1970 + p.Index % 30, 1 + p.Index % 12, 1 + p.Index % 28).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            PrisonNumber = $"D{1000 + p.Index:0000}EM",
            NhsNumber = p.Index % 2 == 0 ? NhsNumber(p.Index) : null,
        },
        Site = p.Site,
        ReleaseDate = p.ReleaseDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ReleaseType = p.ReleaseType,
        ReferralSource = (p.Index % 3) switch { 0 => nameof(ReferralSource.PrisonHealthcare), 1 => nameof(ReferralSource.SubstanceMisuse), _ => nameof(ReferralSource.OffenderManager) },
        HealthNeeds = (p.Index % 3) switch { 0 => ["MentalHealth", "Medication"], 1 => ["SubstanceMisuse"], _ => ["PhysicalHealth", "Medication"] },
        Consent = new ConsentRequest { Given = true },
        ReferralDate = p.ReferralDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        Notes = "Synthetic demo referral: not a real person.",
    };

    /// <summary>A synthetic NHS number with a valid modulus 11 check digit (999 prefix: never issued to a real person).</summary>
    public static string NhsNumber(int seed)
    {
        for (var n = seed; ; n++)
        {
            var digits = $"999{n % 1_000_000:000000}";
            var sum = 0;
            for (var i = 0; i < 9; i++) sum += (digits[i] - '0') * (10 - i);
            var check = 11 - sum % 11;
            if (check == 11) check = 0;
            if (check != 10) return digits + check.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static async Task SendEventsAsync(ReferralService service, List<Person> people, DateOnly day, CancellationToken cancellationToken)
    {
        foreach (var p in people.Where(p => p.Id is not null))
        {
            (string Name, JsonObject Payload)? message = p.Plan switch
            {
                Plan.ConsentWithdrawn when day == p.ReferralDate.AddDays(6) => ("consent-withdrawn", []),
                Plan.Recalled when p.ReleaseDate is { } r && day == r.AddDays(9) => ("recalled-to-custody", []),
                Plan.OutOfArea when day == p.ReferralDate.AddDays(8) => ("transferred", new JsonObject { ["site"] = "HMP Durham" }),
                Plan.ReleasedEarly when p.ReleaseDate is { } r && day == r.AddDays(-10) => ("released", new JsonObject { ["date"] = Iso(day) }),
                Plan.Ineligible when day == p.ReferralDate.AddDays(5) => ("release-date-changed", new JsonObject { ["releaseDate"] = Iso(p.ReferralDate.AddDays(120)) }),
                _ when p.Index % 2 == 0 && p.ReleaseDate is { } r && day == r && p.Plan is Plan.Engaged => ("released", new JsonObject { ["date"] = Iso(day) }),
                _ => null,
            };
            if (message is { } m) await service.SendEventAsync(p.Id!, m.Name, m.Payload, null, cancellationToken);
        }
    }

    /// <summary>Open tasks of the demo referrals due today or earlier are answered at 17:00, each by its plan; some are left overdue.</summary>
    private async Task AnswerTasksAsync(WorkflowRuntime runtime, List<Person> people, DateOnly day, DateOnly today, CancellationToken cancellationToken)
    {
        var byId = people.Where(p => p.Id is not null).ToDictionary(p => p.Id!, StringComparer.Ordinal);
        var endOfDay = LondonTime.AtLondonTime(day.AddDays(1), TimeOnly.MinValue);
        List<(string Id, string? SubjectId, string ActivityId, DateTimeOffset? DueAt)> open;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            open = (await db.Tasks.AsNoTracking()
                .Where(t => t.Status == TaskStatuses.Open && t.BookmarkId != "" && t.DueAt != null)
                .Select(t => new { t.Id, t.SubjectId, t.ActivityId, t.DueAt })
                .ToListAsync(cancellationToken))
                .Where(t => t.DueAt < endOfDay)
                .Select(t => (t.Id, t.SubjectId, t.ActivityId, t.DueAt)).ToList();
        foreach (var task in open)
        {
            if (task.SubjectId is null || !byId.TryGetValue(task.SubjectId, out var p)) continue;
            // Left for the navigator: an overdue caseload, and the last few days' work.
            if (p.Plan == Plan.Overdue && task.ActivityId != "firstContact") continue;
            if (day > today.AddDays(-3) && p.Index % 4 == 0) continue;
            var outcome = Outcome(p, task.ActivityId);
            if (outcome is null) continue;
            await runtime.CompleteTaskAsync(task.Id, outcome, new JsonObject { ["notes"] = "Demo outcome." }, cancellationToken);
        }
    }

    private static string? Outcome(Person p, string activityId) => activityId switch
    {
        "firstContact" => p.Plan switch { Plan.Declined => "Declined", Plan.UnableToContact => "UnableToContact", _ => "Engaged" },
        "secondAttempt" => p.Plan == Plan.UnableToContact ? "UnableToContact" : "Engaged",
        "reviewUnable" => "Close",
        "followUp2" or "followUp7" or "followUp21" => p.Dice.Next(100) switch { < 60 => "Engaged", < 85 => "NotEngaged", _ => "UnableToContact" },
        "monthlyReview" => p.Plan == Plan.SixMonths ? "Continue" : p.Dice.Next(3) == 0 ? "NeedsMet" : "Continue",
        "approveExtension" => "Reject",
        _ => "Done",
    };

    private async Task<string?> ReferrerIdAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Where(u => u.Email == "referrer@reconnect.test").Select(u => u.Id).FirstOrDefaultAsync(cancellationToken);
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
