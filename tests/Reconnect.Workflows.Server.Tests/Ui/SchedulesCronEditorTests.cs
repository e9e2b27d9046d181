using Bunit;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Web.Components.Shared;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The schedules page's cron editor: the next five fire times as the cron is typed, the error in the field, save.</summary>
public class SchedulesCronEditorTests : MudTestContext
{
    // Wednesday 25 November 2026, 12:00 UTC (GMT: no daylight saving in November).
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private IRenderedComponent<CronEditor> Editor(string? initial, Func<string, Task<string?>>? save = null) =>
        Render<CronEditor>(p => p
            .Add(e => e.InitialCron, initial)
            .Add(e => e.Now, () => Now)
            .Add(e => e.Save, save ?? (_ => Task.FromResult<string?>(null))));

    private static List<string> NextTimes(IRenderedComponent<CronEditor> cut) =>
        cut.FindAll("#cron-next-times li").Select(li => li.TextContent.Trim()).ToList();

    [Fact]
    public void TypingACrontab_ShowsTheNextFiveFireTimes_InUkTime()
    {
        var cut = Editor("0 0 7 ? * *");
        Assert.Equal(5, NextTimes(cut).Count);
        // A daily time opens as "every day at 07:00"; the cron is the advanced choice.
        Assert.True(cut.Find("#cron-everyday").HasAttribute("checked"));
        Assert.Equal("07:00", cut.Find("#cron-time").GetAttribute("value"));
        cut.Find("#cron-advanced").Click();

        cut.Find("#cron-input").Input("30 8 * * 1-5"); // 08:30 Monday to Friday (crontab)

        Assert.Equal(
            [
                "Thu 26 Nov 2026, 08:30:00 GMT",
                "Fri 27 Nov 2026, 08:30:00 GMT",
                "Mon 30 Nov 2026, 08:30:00 GMT",
                "Tue 1 Dec 2026, 08:30:00 GMT",
                "Wed 2 Dec 2026, 08:30:00 GMT",
            ],
            NextTimes(cut));
        Assert.Contains("0 30 8 ? * MON-FRI", cut.Find("#cron-preview").TextContent);
        Assert.Empty(cut.FindAll("#cron-error"));
        Assert.False(cut.Find("#cron-save").HasAttribute("disabled"));
    }

    [Fact]
    public void WeekdaysAtATime_ShowsTheNextFiveWeekdays_AndSavesTheQuartzForm_WithNoCronShown()
    {
        var saved = new List<string>();
        var cut = Editor("0 0 7 ? * *", cron => { saved.Add(cron); return Task.FromResult<string?>(null); });
        Assert.DoesNotContain("Quartz", cut.Find("#cron-editor").TextContent, StringComparison.Ordinal);

        cut.Find("#cron-weekdays").Change(true);
        cut.Find("#cron-time").Input("08:30");

        Assert.Equal(
            [
                "Thu 26 Nov 2026, 08:30:00 GMT",
                "Fri 27 Nov 2026, 08:30:00 GMT",
                "Mon 30 Nov 2026, 08:30:00 GMT",
                "Tue 1 Dec 2026, 08:30:00 GMT",
                "Wed 2 Dec 2026, 08:30:00 GMT",
            ],
            NextTimes(cut));
        Assert.Empty(cut.FindAll("#cron-input"));
        cut.Find("#cron-time").Input("8.30");
        Assert.Contains("HH:MM", cut.Find("#cron-error").TextContent, StringComparison.Ordinal);
        Assert.True(cut.Find("#cron-save").HasAttribute("disabled"));
        cut.Find("#cron-time").Input("08:30");
        cut.Find("#cron-save").Click();
        Assert.Equal(["0 30 8 ? * MON-FRI"], saved);
    }

    [Theory]
    [InlineData("0 0 7 * * ?", "Every day at 07:00")]
    [InlineData("0 30 8 ? * MON-FRI", "Weekdays (Monday to Friday) at 08:30")]
    [InlineData("0 0 7 1 * ?", "A custom timetable")]
    [InlineData("0 0/5 * * * ?", "A custom timetable")]
    public void SimpleSchedule_SaysTheCronInWords(string quartz, string words) =>
        Assert.Equal(words, Reconnect.Workflows.Application.Schedules.SimpleSchedule.Describe(quartz));

    [Fact]
    public void AcrossTheClockChange_TimesStayAtSevenUkTime()
    {
        var cut = Editor("0 7 * * *");
        cut.Find("#cron-input").Input("0 7 28 3 *"); // 28 March: 2027 is in BST (clocks go forward 28 March 2027 at 01:00)
        var times = NextTimes(cut);
        Assert.Equal("Sun 28 Mar 2027, 07:00:00 BST", times[0]);
        Assert.Equal("Tue 28 Mar 2028, 07:00:00 BST", times[1]);
    }

    [Theory]
    [InlineData("0 7 * *", "has 4 fields")]
    [InlineData("61 7 * * *", "")]
    [InlineData("", "A cron expression is required")]
    [InlineData("0 0 7 ? * * 2020", "never fires again")]
    public void ABadCron_ShowsTheErrorInTheField_NoTimes_AndSaveIsDisabled(string cron, string expected)
    {
        var cut = Editor("0 7 * * *");
        cut.Find("#cron-input").Input(cron);

        var error = cut.Find("#cron-error").TextContent;
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#cron-next-times li"));
        Assert.True(cut.Find("#cron-save").HasAttribute("disabled"));
        // The field says it is invalid and points at its message, for screen readers.
        var input = cut.Find("#cron-input");
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Contains("cron-error", input.GetAttribute("aria-describedby") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Save_HandsBackTheQuartzForm_AndShowsTheServersErrorInTheField()
    {
        var saved = new List<string>();
        var cut = Editor("0 7 * * *", cron =>
        {
            saved.Add(cron);
            return Task.FromResult<string?>(saved.Count == 1 ? "'daily' runs on an interval set by configuration" : null);
        });

        cut.Find("#cron-input").Input("0 6 * * *");
        cut.Find("#cron-save").Click();

        Assert.Equal(["0 0 6 * * ?"], saved);
        Assert.Contains("runs on an interval", cut.Find("#cron-error").TextContent);
        Assert.Empty(cut.FindAll("#cron-next-times li"));

        cut.Find("#cron-input").Input("0 5 * * *");
        cut.Find("#cron-save").Click();
        Assert.Equal(["0 0 6 * * ?", "0 0 5 * * ?"], saved);
        Assert.Empty(cut.FindAll("#cron-error"));
    }

    [Fact]
    public void UkTime_SaysGmtOrBst()
    {
        Assert.Equal("Wed 25 Nov 2026, 12:00:00 GMT", UkTime.Format(Now));
        Assert.Equal("Wed 1 Jul 2026, 08:00:00 BST", UkTime.Format(new DateTimeOffset(2026, 7, 1, 7, 0, 0, TimeSpan.Zero)));
    }
}
