using Reconnect.Workflows.Engine.Expressions;

namespace Reconnect.Workflows.Engine.Tests.Expressions;

public class ExpressionTests
{
    private static readonly ExpressionEvaluator Evaluator = new(new JavaScriptOptions { Timeout = TimeSpan.FromMilliseconds(500), MaxStatements = 100_000, MemoryLimitBytes = 8 * 1024 * 1024 });

    private static JsonNode? Eval(Expression e, TestExpressionContext? c = null) => Evaluator.Evaluate(e, c ?? new TestExpressionContext());

    [Fact]
    public void Literal_ReturnsValue() => Assert.Equal("hi", Eval(Lit("hi"))!.GetValue<string>());

    [Fact]
    public void Object_ParsesJsonText() => Assert.Equal(2, Eval(new Expression("Object", JsonValue.Create("[1,2]")))!.AsArray().Count);

    [Fact]
    public void Variable_ReadsVariable()
    {
        var c = new TestExpressionContext();
        c.Variables["X"] = 5;
        Assert.Equal(5, Eval(Expression.OfVariable("X"), c)!.GetValue<int>());
    }

    [Fact]
    public void Variable_Missing_ThrowsClearly() =>
        Assert.Contains("'Nope' is not defined", Assert.Throws<ExpressionException>(() => Eval(Expression.OfVariable("Nope"))).Message);

    [Fact]
    public void JavaScript_Accessors_ReadAndWriteVariablesAndInputs()
    {
        var c = new TestExpressionContext { Input = new JsonObject { ["Message"] = "hello" } };
        c.Variables["Counter"] = 1;
        var result = Eval(Js("setCounter(getCounter() + 1); setVariable('Other', 'x'); variables.Third = 3; getMessage() + ' ' + getInput('Message').length"), c);
        Assert.Equal("hello 5", result!.GetValue<string>());
        Assert.Equal(2, c.Variables["Counter"]!.GetValue<long>());
        Assert.Equal("x", c.Variables["Other"]!.GetValue<string>());
        Assert.Equal(3, c.Variables["Third"]!.GetValue<long>());
    }

    [Fact]
    public void JavaScript_OnlyMentionedNamesBound_ReadsAndLeavesTheRestAlone()
    {
        var c = new TestExpressionContext { Input = new JsonObject { ["Message"] = "hello" } };
        c.Variables["Counter"] = 1;
        c.Variables["Other"] = "x";
        Assert.Equal(2, Eval(Js("getCounter() + 1"), c)!.GetValue<long>());
        Assert.Equal(1, c.Variables["Counter"]!.GetValue<int>());
        Assert.Equal("x", c.Variables["Other"]!.GetValue<string>());
        Assert.Equal("function function object", Eval(Js("typeof getOther + ' ' + typeof getMessage + ' ' + typeof input"), c)!.GetValue<string>());
        // A name inside a string or comment is bound too (harmless), and a script naming `variables` sees them all.
        Assert.Equal("x", Eval(Js("/* getCounter */ variables['Oth' + 'er']"), c)!.GetValue<string>());
    }

    [Fact]
    public void JavaScript_VariablesObject_WholeWhenUsedAsAWholeElseTheNamedOnes()
    {
        var c = new TestExpressionContext();
        c.Variables["A"] = 1;
        c.Variables["B"] = 2;
        c.Variables["C"] = 3;
        Assert.Equal(3, Eval(Js("variables.A + variables . B"), c)!.GetValue<long>());
        Assert.Equal(3, Eval(Js("Object.keys(variables).length"), c)!.GetValue<long>());
        Assert.True(Eval(Js("'C' in variables"), c)!.GetValue<bool>());
        Assert.Equal(3, Eval(Js("var k = 'C'; variables[k]"), c)!.GetValue<long>());
        Eval(Js("variables.D = variables.A + 10"), c);
        Assert.Equal(11, c.Variables["D"]!.GetValue<long>());
        Assert.Equal(3, c.Variables["C"]!.GetValue<int>());
    }

    [Fact]
    public void JavaScript_ReachedThroughEvalOrGlobalThis_EverythingIsBound()
    {
        var c = new TestExpressionContext();
        c.Variables["Counter"] = 41;
        Assert.Equal(42, Eval(Js("eval('get' + 'Counter')() + 1"), c)!.GetValue<long>());
        Assert.Equal(42, Eval(Js("globalThis['get' + 'Counter']() + 1"), c)!.GetValue<long>());
        Assert.Equal("2027-01-08", Eval(Js("globalThis['add' + 'Days']('2027-01-01', 7)"), c)!.GetValue<string>());
    }

    [Fact]
    public void JavaScript_CapitalisedAccessorAndDateHelper_BoundWhenNamed()
    {
        var c = new TestExpressionContext();
        c.Variables["releaseDate"] = "2027-01-01";
        Assert.Equal("2027-01-11", Eval(Js("addDays(getReleaseDate(), 10)"), c)!.GetValue<string>());
        Assert.Equal("2027-01-11", Eval(Js("addDays(variables.releaseDate, 10)"), c)!.GetValue<string>());
        Eval(Js("setReleaseDate('2027-02-01')"), c);
        Assert.Equal("2027-02-01", c.Variables["releaseDate"]!.GetValue<string>());
    }

    [Fact]
    public void JavaScript_TopLevelReturn_IsAllowedAsInElsa() => Assert.False(Eval(Js("return false;"))!.GetValue<bool>());

    [Fact]
    public void JavaScript_ObjectResult_BecomesJson()
    {
        var result = Eval(Js("({ a: [1, 2], b: { c: 'd' } })"))!;
        Assert.Equal("d", result["b"]!["c"]!.GetValue<string>());
    }

    [Fact]
    public void JavaScript_InfiniteLoop_IsStopped()
    {
        var ex = Assert.Throws<ExpressionException>(() => Eval(Js("while (true) {}")));
        Assert.Contains("stopped", ex.Message);
    }

    [Fact]
    public void JavaScript_UnboundedAllocation_IsStopped()
    {
        var ex = Assert.Throws<ExpressionException>(() => Eval(Js("var a = []; while (true) { a.push('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' + a.length); }")));
        Assert.Contains("stopped", ex.Message);
    }

    [Fact]
    public void JavaScript_DeepRecursion_IsStopped() =>
        Assert.Contains("stopped", Assert.Throws<ExpressionException>(() => Eval(Js("function f(n) { return f(n + 1); } f(0)"))).Message);

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO')")]
    [InlineData("clrHelper")]
    public void JavaScript_ClrAccess_IsNotThere(string script) => Assert.Throws<ExpressionException>(() => Eval(Js(script)));

    [Fact]
    public void JavaScript_SyntaxError_IsReportedBySyntaxCheck()
    {
        Assert.NotNull(Evaluator.CheckSyntax(Js("if (")));
        Assert.Null(Evaluator.CheckSyntax(Js("return 1 + 1;")));
    }

    [Fact]
    public void JavaScript_DateHelpers_UseLondonDatesAndStepClock()
    {
        Assert.Equal("2027-03-28", Eval(Js("today()"))!.GetValue<string>());
        Assert.Equal("2027-02-22", Eval(Js("addDays('2027-03-01', -7)"))!.GetValue<string>());
        Assert.Equal("2027-04-01", Eval(Js("addMonths('2027-01-01', 3)"))!.GetValue<string>());
        Assert.Equal(84, Eval(Js("daysBetween('2027-01-01', '2027-03-26')"))!.GetValue<long>());
        // 09:00 in London on 29 March 2027 is BST (+01:00).
        Assert.Equal("2027-03-29T09:00:00+01:00", Eval(Js("atLondonTime('2027-03-29', '09:00')"))!.GetValue<string>());
        // 23:30 UTC on 28 March is already the 29th in London.
        Assert.Equal("2027-03-29", Eval(Js("londonDate('2027-03-28T23:30:00Z')"))!.GetValue<string>());
        Assert.Equal("2027-01-01", Eval(Js("minDate('2027-01-01', '2027-02-01')"))!.GetValue<string>());
    }

    [Fact]
    public void Liquid_RendersVariablesAndInput()
    {
        var c = new TestExpressionContext { Input = new JsonObject { ["site"] = "LEI" } };
        c.Variables["ReleaseDate"] = "2027-02-01";
        Assert.Equal("Release 2027-02-01 at LEI (2027-02-01)",
            Eval(Liquid("Release {{ Variables.ReleaseDate }} at {{ Input.site }} ({{ ReleaseDate }})"), c)!.GetValue<string>());
    }

    [Fact]
    public void Liquid_BadTemplate_FailsSyntaxCheck() => Assert.Contains("does not parse", Evaluator.CheckSyntax(Liquid("{% if %}"))!);

    [Fact]
    public void UnsupportedType_IsRejected() =>
        Assert.Contains("not supported", Assert.Throws<ExpressionException>(() => Eval(new Expression("CSharp", JsonValue.Create("1+1")))).Message);
}

public class ValueConverterTests
{
    [Fact]
    public void Numbers_BackedByAnyClrType_Convert()
    {
        Assert.Equal(3, Engine.Activities.ValueConverter.ToInteger(JsonValue.Create(3)));
        Assert.Equal(3, Engine.Activities.ValueConverter.ToInteger(JsonValue.Create(3.0)));
        Assert.Equal(3, Engine.Activities.ValueConverter.ToInteger(JsonNode.Parse("3")));
        Assert.Equal(3, Engine.Activities.ValueConverter.ToInteger(JsonValue.Create("3")));
        Assert.True(Engine.Activities.ValueConverter.ToBool(JsonValue.Create(1)));
        Assert.Equal(TimeSpan.FromSeconds(90), Engine.Activities.ValueConverter.ToTimeSpan(JsonValue.Create(90)));
    }
}
