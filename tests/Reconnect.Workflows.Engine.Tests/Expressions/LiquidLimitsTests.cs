using Reconnect.Workflows.Engine.Expressions;

namespace Reconnect.Workflows.Engine.Tests.Expressions;

/// <summary>Templates that would run for seconds or allocate without end fail fast with a message naming the limit.</summary>
public class LiquidLimitsTests
{
    private static string Render(string template, TestExpressionContext? context = null, LiquidLimits? limits = null) =>
        new LiquidEvaluator(limits).Render(template, context ?? new TestExpressionContext());

    private static string Refused(string template, TestExpressionContext? context = null, LiquidLimits? limits = null) =>
        Assert.Throws<ExpressionException>(() => Render(template, context, limits)).Message;

    [Fact]
    public void Range_FromVariable_WithinLimit_Renders()
    {
        var context = new TestExpressionContext();
        context.Variables["n"] = 5;
        Assert.Equal("12345", Render("{% for i in (1..Variables.n) %}{{ i }}{% endfor %}", context));
    }

    [Fact]
    public void Range_FromVariable_OverLimit_IsRefusedBeforeItIsBuilt()
    {
        var context = new TestExpressionContext();
        context.Variables["n"] = 100_000_000;
        Assert.Contains("range (1..100000000) is longer than 10,000", Refused("{% for i in (1..Variables.n) %}{% endfor %}", context));
    }

    [Fact]
    public void Range_FromAssign_OverLimit_IsRefused() =>
        Assert.Contains("is longer than 10,000", Refused("{% assign n = 3000000 %}{% for i in (n..1) %}{% endfor %}"));

    [Fact]
    public void Range_Literal_OverLimit_FailsTheSyntaxCheck() =>
        Assert.Contains("longer than 10,000", new LiquidEvaluator().CheckSyntax("{% for i in (1..10001) %}{% endfor %}"));

    [Fact]
    public void Range_OutsideALoop_IsBoundedToo()
    {
        var context = new TestExpressionContext();
        context.Variables["n"] = 50_000;
        Assert.Contains("longer than", Refused("{% assign r = (1..Variables.n) %}{{ r | size }}", context));
    }

    [Fact]
    public void Steps_NestedLoops_StopAtTheStepLimit_WithAClearMessage() =>
        Assert.Contains("more than 100,000 steps", Refused("{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}"));

    [Fact]
    public void Capture_Doubling_StopsAtTheOutputLimit() =>
        Assert.Contains("wrote more than 1,000,000 characters",
            Refused("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}"));

    [Fact]
    public void Assign_AppendDoubling_StopsAtTheValueLimit() =>
        Assert.Contains("filter 'append' made a text longer than 100,000",
            Refused("{% assign s = 'x' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}"));

    [Fact]
    public void Replace_WhoseResultWouldExplode_IsRefusedBeforeItRuns() =>
        Assert.Contains("filter 'replace' would make a text longer than 100,000",
            Refused("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..12) %}{% assign s = s | replace: 'x', s %}{% endfor %}{{ s | size }}"));

    [Fact]
    public void Join_WhoseResultWouldExplode_IsRefusedBeforeItRuns() =>
        Assert.Contains("filter 'join' would make",
            Refused("{% assign sep = 'yyyyyyyyyy' | append: 'yyyyyyyyyy' | append: 'yyyyyyyyyy' %}{% assign a = 'x,x,x,x,x,x,x,x,x,x' | split: ',' %}{{ a | join: sep }}",
                limits: new LiquidLimits { MaxValueLength = 100 }));

    [Fact]
    public void Output_OfAHugeVariable_StopsAtTheOutputLimit()
    {
        var context = new TestExpressionContext();
        context.Variables["big"] = new string('x', 2_000_000);
        Assert.Contains("wrote more than 1,000,000 characters", Refused("{{ Variables.big }}", context));
    }

    [Fact]
    public void Output_WithinLimits_IsUnchanged()
    {
        var context = new TestExpressionContext();
        context.Variables["name"] = "Leeds & York <north>";
        Assert.Equal("Leeds & York <north>: 3 x 2", Render("{{ Variables.name }}: {{ 'a,b,c' | split: ',' | size }} x {{ 'xx' | size }}", context));
    }

    [Fact]
    public void Timeout_IsEnforced_AtTheFirstWrite() =>
        Assert.Contains("took longer than 0 ms", Refused("{% for i in (1..10) %}{{ i }}{% endfor %}", limits: new LiquidLimits { Timeout = TimeSpan.Zero }));

    [Fact]
    public void Limits_AreFreshForEachRender()
    {
        var evaluator = new LiquidEvaluator(new LiquidLimits { MaxOutputLength = 15 });
        for (var i = 0; i < 3; i++)
            Assert.Equal("0123456789", evaluator.Render("{% for i in (0..9) %}{{ i }}{% endfor %}", new TestExpressionContext()));
    }
}
