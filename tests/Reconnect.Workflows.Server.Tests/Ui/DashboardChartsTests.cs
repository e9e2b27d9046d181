using Bunit;
using MudBlazor;
using Reconnect.Workflows.Web.Components.Shared;
using Reconnect.Workflows.Application.Referrals;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>The dashboard's charts and the tables that say the same in text.</summary>
public class DashboardChartsTests : MudTestContext
{
    private static readonly MeasuresDto Measures = new(
        new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        9,
        [
            new SiteStageCount("LEI", "Triage", 2),
            new SiteStageCount("LEI", "PostRelease", 3),
            new SiteStageCount("NHI", "Received", 1),
            new SiteStageCount("NHI", "PreRelease", 2),
            new SiteStageCount("XYZ", "Triage", 1), // a site no longer configured still shows
        ],
        new OverdueTasksDto(5, [new SiteCount(null, 1), new SiteCount("LEI", 4)]),
        new EngagementMeasureDto(new DateOnly(2026, 8, 27), new DateOnly(2026, 11, 25), 3, 4, 0.75, EngagementMeasure.National));

    private static readonly IReadOnlyList<EngagementWeekDto> Weeks =
    [
        new(new DateOnly(2026, 11, 9), new DateOnly(2026, 11, 15), 1, 2, 0.5),
        new(new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22), 0, 0, null),
        new(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 25), 2, 2, 1.0),
    ];

    private IRenderedComponent<DashboardCharts> RenderCharts(MeasuresDto? measures = null, IReadOnlyList<EngagementWeekDto>? weeks = null) =>
        Render<DashboardCharts>(p => p
            .Add(c => c.Measures, measures ?? Measures)
            .Add(c => c.Weeks, weeks ?? Weeks)
            .Add(c => c.Sites, ["LEI", "NHI", "WEI"]));

    private static List<List<string>> Rows(IRenderedComponent<DashboardCharts> cut, string table) =>
        cut.FindAll($"{table} tbody tr").Select(tr => tr.Children.Select(c => c.TextContent.Trim()).ToList()).ToList();

    [Fact]
    public void OpenReferrals_StackedBarPerStage_AndTheSameNumbersInTheTable()
    {
        var cut = RenderCharts();

        var chart = cut.FindComponents<MudChart<double>>().Single(c => c.Instance.ChartType == ChartType.StackedBar);
        Assert.Equal(["LEI", "NHI", "WEI", "XYZ"], chart.Instance.ChartLabels);
        var series = chart.Instance.ChartSeries.ToDictionary(s => s.Name, s => s.Data.Values.ToArray());
        Assert.Equal([0d, 1, 0, 0], series["Received"]);
        Assert.Equal([2d, 0, 0, 1], series["Triage"]);
        Assert.Equal([0d, 2, 0, 0], series["Pre release"]);
        Assert.Equal([3d, 0, 0, 0], series["Post release"]);

        Assert.Equal(
            [
                ["LEI", "0", "2", "0", "3", "5"],
                ["NHI", "1", "0", "2", "0", "3"],
                ["WEI", "0", "0", "0", "0", "0"],
                ["XYZ", "0", "1", "0", "0", "1"],
            ],
            Rows(cut, "#open-table"));
        Assert.Equal(["Site", "Received", "Triage", "Pre release", "Post release", "Total"], cut.FindAll("#open-table thead th").Select(th => th.TextContent.Trim()));
        Assert.All(cut.FindAll("#open-table thead th"), th => Assert.Equal("col", th.GetAttribute("scope")));
        Assert.All(cut.FindAll("#open-table tbody th"), th => Assert.Equal("row", th.GetAttribute("scope")));
        Assert.Equal("9", cut.Find("#summary-open h4, #summary-open .mud-typography-h4").TextContent.Trim());
    }

    [Fact]
    public void OverdueTasks_BarBySite_WithTasksWithoutASite()
    {
        var cut = RenderCharts();
        var chart = cut.FindComponents<MudChart<double>>().Single(c => c.Instance.ChartType == ChartType.Bar);
        Assert.Equal(["LEI", "NHI", "WEI", "XYZ", "No site"], chart.Instance.ChartLabels);
        Assert.Equal([4d, 0, 0, 0, 1], chart.Instance.ChartSeries.Single().Data.Values.ToArray());
        Assert.Equal([["LEI", "4"], ["NHI", "0"], ["WEI", "0"], ["XYZ", "0"], ["No site", "1"]], Rows(cut, "#overdue-table"));
    }

    [Fact]
    public void Engagement_LineOfWeeklyShares_GapWhereNobodyWasReleased_AndTheTable()
    {
        var cut = RenderCharts();
        var chart = cut.FindComponents<MudChart<double>>().Single(c => c.Instance.ChartType == ChartType.Line);
        Assert.Equal(["9 Nov", "16 Nov", "23 Nov"], chart.Instance.ChartLabels);
        Assert.Equal(["Engaged at 21 days (%)", "England 2023-24 (%)", "National target (%)"], chart.Instance.ChartSeries.Select(s => s.Name));
        var points = chart.Instance.ChartSeries[0].Data;
        Assert.Equal(50d, points[0].Y);
        Assert.False(points[1].HasValue);
        Assert.Equal(100d, points[2].Y);
        // England and the target: flat reference lines across every week, gaps in ours or not.
        Assert.Equal([53d, 53, 53], chart.Instance.ChartSeries[1].Data.Values.ToArray());
        Assert.Equal([75d, 75, 75], chart.Instance.ChartSeries[2].Data.Values.ToArray());

        Assert.Equal(
            [
                ["9 Nov 2026 to 15 Nov 2026", "2", "1", "50%"],
                ["16 Nov 2026 to 22 Nov 2026", "0", "0", "–"],
                ["23 Nov 2026 to 25 Nov 2026", "2", "2", "100%"],
            ],
            Rows(cut, "#engagement-table"));
        Assert.Equal(["Week of release", "Counted", "Engaged at 21 days", "Share"], cut.FindAll("#engagement-table thead th").Select(th => th.TextContent.Trim()));
        Assert.Contains("75%", cut.Find("#summary-engagement h4, #summary-engagement .mud-typography-h4").TextContent);
        Assert.Contains("3 engaged of 4 counted", cut.Find("#summary-engagement").TextContent);
    }

    [Fact]
    public void Engagement_NationalFigureAndTarget_InWordsBesideOursAndInTheTable()
    {
        var cut = RenderCharts();
        Assert.Equal("England 53% in 2023-24; national target 75%.", cut.Find("#summary-national").TextContent.Trim());
        Assert.Equal(
            [
                ["England, 2023-24 (OHID Public Health Outcomes Framework C20)", "–", "–", "53%"],
                ["National target", "–", "–", "75%"],
            ],
            cut.FindAll("#engagement-national tr").Select(tr => tr.Children.Select(c => c.TextContent.Trim()).ToList()).ToList());
        Assert.All(cut.FindAll("#engagement-national th"), th => Assert.Equal("row", th.GetAttribute("scope")));
        Assert.Contains("England", cut.Find("#engagement-table caption").TextContent);
    }

    [Fact]
    public void Charts_AreDrawn_AndHiddenFromScreenReaders_WhichReadTheTables()
    {
        var cut = RenderCharts();
        foreach (var id in new[] { "#open-chart", "#overdue-chart", "#engagement-chart" })
        {
            var chart = cut.Find(id);
            Assert.Equal("true", chart.GetAttribute("aria-hidden"));
            Assert.NotEmpty(chart.QuerySelectorAll("svg"));
        }
        Assert.NotEmpty(cut.Find("#open-chart").QuerySelectorAll("svg rect, svg path"));
        Assert.NotEmpty(cut.Find("#engagement-chart").QuerySelectorAll("svg path"));
        foreach (var table in new[] { "#open-table", "#overdue-table", "#engagement-table" })
            Assert.False(string.IsNullOrWhiteSpace(cut.Find($"{table} caption").TextContent));
    }

    [Fact]
    public void NothingToShow_SaysSo_InsteadOfEmptyCharts()
    {
        var empty = new MeasuresDto(DateTimeOffset.UnixEpoch, 0, [], new OverdueTasksDto(0, []),
            new EngagementMeasureDto(new DateOnly(2026, 8, 27), new DateOnly(2026, 11, 25), 0, 0, null, EngagementMeasure.National));
        var cut = RenderCharts(empty, [new(new DateOnly(2026, 11, 23), new DateOnly(2026, 11, 25), 0, 0, null)]);
        Assert.NotNull(cut.Find("#open-empty"));
        Assert.NotNull(cut.Find("#overdue-empty"));
        Assert.NotNull(cut.Find("#engagement-empty"));
        Assert.Empty(cut.FindComponents<MudChart<double>>());
        Assert.Contains("–", cut.Find("#summary-engagement").TextContent);
        // The national figure still reads beside an empty measure.
        Assert.Contains("England 53% in 2023-24", cut.Find("#summary-national").TextContent);
        Assert.Equal(2, cut.FindAll("#engagement-national tr").Count);
    }
}
