using Reconnect.Workflows.Application.Schedules;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Server.Scheduling;

namespace Reconnect.Workflows.Server.Tests.Scheduling;

public class QuartzCronTests
{
    [Theory]
    [InlineData("0 7 * * *", "0 0 7 * * ?")]
    [InlineData("*/15 * * * *", "0 */15 * * * ?")]
    [InlineData("0 7 1 * *", "0 0 7 1 * ?")]
    [InlineData("30 0 7 * * *", "30 0 7 * * ?")]
    public void TryFromWorkflow_CronosExpression_QuartzForm(string cronos, string expected)
    {
        Assert.True(QuartzCron.TryFromWorkflow(cronos, out var quartz, out var error), error);
        Assert.Equal(expected, quartz);
    }

    [Fact]
    public void TryFromWorkflow_NumericWeekdays_KeepTheirMeaning()
    {
        // crontab 1-5 is Monday to Friday; in Quartz's numbering that is 2-6, not 1-5 (Sunday to Thursday).
        Assert.True(QuartzCron.TryFromWorkflow("0 7 * * 1-5", out var quartz, out var error), error);
        var times = QuartzCron.NextFireTimes(quartz, new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero), 10);
        Assert.All(times, t => Assert.InRange((int)t.DayOfWeek, (int)DayOfWeek.Monday, (int)DayOfWeek.Friday));
        Assert.True(QuartzCron.TryFromWorkflow("0 0 9 * * 0", out var sunday, out error), error);
        Assert.All(QuartzCron.NextFireTimes(sunday, new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero), 3), t => Assert.Equal(DayOfWeek.Sunday, t.DayOfWeek));
    }

    [Theory]
    [InlineData("")]
    [InlineData("every day")]
    [InlineData("0 7 * *")]
    [InlineData("99 7 * * *")]
    [InlineData("0 7 * * 9")]
    public void TryFromWorkflow_NotACron_Error(string text)
    {
        Assert.False(QuartzCron.TryFromWorkflow(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("0 0 7 ? * MON-FRI", "0 0 7 ? * MON-FRI")]
    [InlineData("0 30 8 * * MON-FRI", "0 30 8 ? * MON-FRI")]
    [InlineData("0 0 7 * * *", "0 0 7 * * ?")]
    [InlineData("0 0 7 1 * *", "0 0 7 1 * ?")]
    [InlineData("30 8 * * 1-5", "0 30 8 ? * MON-FRI")]
    public void TryFromUser_QuartzOrCrontab_Canonical(string text, string expected)
    {
        Assert.True(QuartzCron.TryFromUser(text, out var quartz, out var error), error);
        Assert.Equal(expected, quartz);
    }

    [Theory]
    [InlineData("0 0 7 30 2 ?")]
    [InlineData("0 0 25 * * ?")]
    [InlineData("0 0 7 * * * * *")]
    public void TryFromUser_Invalid_Error(string text) => Assert.False(QuartzCron.TryFromUser(text, out _, out _));

    [Fact]
    public void NextFireTimes_SevenDailyInSummer_IsSevenLondonTime()
    {
        Assert.True(QuartzCron.TryFromWorkflow("0 7 * * *", out var quartz, out _));
        var times = QuartzCron.NextFireTimes(quartz, new DateTimeOffset(2027, 7, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(5, times.Count);
        Assert.All(times, t =>
        {
            Assert.Equal(TimeSpan.FromHours(1), t.Offset);
            Assert.Equal(6, t.UtcDateTime.Hour);
            Assert.Equal(new TimeOnly(7, 0), TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, LondonTime.TimeZoneInfo).DateTime));
        });
        Assert.Equal(new DateTimeOffset(2027, 7, 2, 7, 0, 0, TimeSpan.FromHours(1)), times[0]);
    }
}
