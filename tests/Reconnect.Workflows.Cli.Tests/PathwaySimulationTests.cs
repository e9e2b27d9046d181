using Reconnect.Workflows.Cli.Tests.Support;
using Reconnect.Workflows.Referrals.Activities;

namespace Reconnect.Workflows.Cli.Tests;

/// <summary>The repository's pathways validate, and simulate as docs/pathway.md tells (the CLI with the Reconnect.* activities, as Program.cs builds it).</summary>
public class PathwaySimulationTests
{
    private static string Pathway => Path.Combine(Repo.Root, "workflows", "reconnect-referral-pathway.json");

    private static Task<CliResult> Run(params string[] args) => CliRunner.RunAsync(ReferralActivities.CreateRegistry(), args);

    /// <summary>The test's own answers (docs/examples holds the ones docs/pathway.md shows; they may change with the docs).</summary>
    private static async Task<string> AnswersAsync(TempDirectory temp, string json)
    {
        var path = Path.Combine(temp.Path, "answers.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    [Fact]
    public async Task Validate_RepositoryWorkflows_AreValid()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "workflows"), "*.json");
        Assert.Equal(2, files.Length);
        var result = await Run(["validate", .. files]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Simulate_TypicalReferral_GoesThroughReleaseAndClosesAtNeedsMet()
    {
        using var temp = new TempDirectory();
        var answers = await AnswersAsync(temp, """
            {"tasks": {"firstContact": "Engaged", "followUp2": "Engaged", "followUp7": "Engaged", "followUp21": "Engaged", "monthlyReview": ["Continue", "NeedsMet"]}}
            """);
        var result = await Run("simulate", Pathway, "--start", "2027-01-04T09:00:00Z", "--correlation-id", "ref-1",
            "--input", """{"referralId":"ref-1","site":"LEI","referralDate":"2027-01-04","releaseDate":"2027-02-01","releaseType":"ConditionalRelease"}""",
            "--answers", answers);
        Assert.True(result.ExitCode == 0, result.ToString());
        var tasks = result.OfKind("task-created").Select(e => (string)e["detail"]!["title"]!).ToList();
        Assert.Equal(
            ["First contact", "Needs assessment and support plan", "Confirm release-day arrangements", "Release-day support",
             "Follow-up check (release + 2 days)", "Follow-up check (release + 7 days)", "Follow-up check (release + 21 days)", "Monthly review", "Monthly review"],
            tasks);
        var executed = result.OfKind("activity-executed").Select(CliResult.ActivityId).ToList();
        Assert.Contains("stagePre", executed);
        Assert.Contains("closeNeedsMet", executed);
        Assert.Equal("finished", CliResult.Kind(result.Events[^1]));
        // The +21 follow-up's timer fires on release + 21 days at 09:00 London (GMT in February).
        var followUp21 = result.OfKind("timer-fired").Single(e => CliResult.ActivityId(e) == "followUp21Timer");
        Assert.Equal(new DateTimeOffset(2027, 2, 22, 9, 0, 0, TimeSpan.Zero), CliResult.At(followUp21));
    }

    [Fact]
    public async Task Simulate_ReferredTenDaysAfterRelease_SkipsPreReleaseAndClosesAtSixMonths()
    {
        using var temp = new TempDirectory();
        var answers = await AnswersAsync(temp, """{"tasks": {"firstContact": "Engaged", "monthlyReview": "Continue"}}""");
        var result = await Run("simulate", Pathway, "--start", "2027-02-11T10:00:00Z", "--correlation-id", "ref-2",
            "--input", """{"referralId":"ref-2","site":"NHI","referralDate":"2027-02-11","releaseDate":"2027-02-01","releaseType":"EndOfSentence"}""",
            "--answers", answers);
        Assert.True(result.ExitCode == 0, result.ToString());
        var executed = result.OfKind("activity-executed").Select(CliResult.ActivityId).ToList();
        Assert.DoesNotContain("stagePre", executed);
        Assert.Contains("stagePost", executed);
        Assert.Contains("closeSixMonths", executed);
        // Six months after the 1 February release, at 09:00 London (BST in August).
        Assert.Equal(new DateTimeOffset(2027, 8, 1, 8, 0, 0, TimeSpan.Zero), CliResult.At(result.OfKind("timer-fired").Single(e => CliResult.ActivityId(e) == "supportEnds")));
    }

    [Fact]
    public async Task Simulate_ConsentWithdrawnOnDayThree_ClosesAtOnce()
    {
        using var temp = new TempDirectory();
        var answers = await AnswersAsync(temp, """{"events": [{"after": "P3D", "name": "consent-withdrawn"}]}""");
        var result = await Run("simulate", Pathway, "--start", "2027-01-04T09:00:00Z", "--correlation-id", "ref-3",
            "--input", """{"referralId":"ref-3","site":"WEI","referralDate":"2027-01-04","releaseDate":"2027-03-01","releaseType":"ConditionalRelease"}""",
            "--answers", answers);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("closeConsent", result.OfKind("activity-executed").Select(CliResult.ActivityId));
        Assert.Equal(new DateTimeOffset(2027, 1, 7, 9, 0, 0, TimeSpan.Zero), CliResult.At(result.Events[^1]));
    }

    [Fact]
    public async Task Simulate_ReleasedTwoWeeksEarly_FollowUpsFromTheActualDateAndNoReleaseDayTasks()
    {
        using var temp = new TempDirectory();
        var answers = await AnswersAsync(temp, """
            {"tasks": {"firstContact": "Engaged", "monthlyReview": "NeedsMet"},
             "events": [{"after": "P14DT1H", "name": "released", "payload": {"date": "2027-01-18"}}]}
            """);
        var result = await Run("simulate", Pathway, "--start", "2027-01-04T09:00:00Z", "--correlation-id", "ref-4",
            "--input", """{"referralId":"ref-4","site":"LEI","referralDate":"2027-01-04","releaseDate":"2027-02-03","releaseType":"HomeDetentionCurfew"}""",
            "--answers", answers);
        Assert.True(result.ExitCode == 0, result.ToString());
        var titles = result.OfKind("task-created").Select(e => (string)e["detail"]!["title"]!).ToList();
        Assert.DoesNotContain("Confirm release-day arrangements", titles);
        Assert.DoesNotContain("Release-day support", titles);
        var fired = result.OfKind("timer-fired").Where(e => CliResult.ActivityId(e)!.StartsWith("followUp", StringComparison.Ordinal)).Select(CliResult.At).ToList();
        Assert.Equal([new DateTimeOffset(2027, 1, 20, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 25, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 2, 8, 9, 0, 0, TimeSpan.Zero)], fired);
        Assert.Contains("leavePreRelease", result.OfKind("activity-executed").Select(CliResult.ActivityId));
    }

    [Fact]
    public async Task Simulate_ReleasedAWeekAfterReleaseDaySupport_FollowUpsStartAgain()
    {
        using var temp = new TempDirectory();
        var answers = await AnswersAsync(temp, """
            {"tasks": {"firstContact": "Engaged", "followUp2": "NotEngaged", "monthlyReview": "NeedsMet"},
             "events": [{"after": "P37DT1H", "name": "released", "payload": {"date": "2027-02-10"}}]}
            """);
        var result = await Run("simulate", Pathway, "--start", "2027-01-04T09:00:00Z", "--correlation-id", "ref-5",
            "--input", """{"referralId":"ref-5","site":"LEI","referralDate":"2027-01-04","releaseDate":"2027-02-03","releaseType":"ConditionalRelease"}""",
            "--answers", answers);
        Assert.True(result.ExitCode == 0, result.ToString());
        var plusTwo = result.OfKind("timer-fired").Where(e => CliResult.ActivityId(e) == "followUp2Timer").Select(CliResult.At).ToList();
        Assert.Equal([new DateTimeOffset(2027, 2, 5, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 2, 12, 9, 0, 0, TimeSpan.Zero)], plusTwo);
        var plusTwentyOne = result.OfKind("timer-fired").Single(e => CliResult.ActivityId(e) == "followUp21Timer");
        Assert.Equal(new DateTimeOffset(2027, 3, 3, 9, 0, 0, TimeSpan.Zero), CliResult.At(plusTwentyOne));
        Assert.Contains("restartFollowUps", result.OfKind("activity-executed").Select(CliResult.ActivityId));
    }
}
