using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>
/// Limits for one Liquid render. Fluid counts statements (<see cref="TemplateOptions.MaxSteps"/>) but builds a range
/// before it counts, lets a filter allocate as much as it likes, and has no clock; these close the gaps so that a
/// template in a pathway can neither run for seconds nor exhaust memory (docs/reliability.md).
/// </summary>
public sealed record LiquidLimits
{
    /// <summary>The most numbers a range (<c>(a..b)</c>, literal or from variables) may hold.</summary>
    public int MaxRange { get; init; } = 10_000;

    /// <summary>The most items an array made by a filter may hold.</summary>
    public int MaxItems { get; init; } = 10_000;

    /// <summary>The longest string a filter may produce (characters).</summary>
    public int MaxValueLength { get; init; } = 100_000;

    /// <summary>The most characters a render may write in total, captures included.</summary>
    public int MaxOutputLength { get; init; } = 1_000_000;

    /// <summary>Wall-clock budget of one render; checked at every write, filter and range.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public static LiquidLimits Default { get; } = new();
}

/// <summary>What one render has used so far; kept in <see cref="TemplateContext.AmbientValues"/>.</summary>
internal sealed class LiquidBudget(LiquidLimits limits)
{
    public const string Key = "reconnect.liquid-budget";

    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(limits.Timeout.TotalSeconds * Stopwatch.Frequency);
    private long _written;

    public LiquidLimits Limits { get; } = limits;

    public static LiquidBudget Of(TemplateContext context) =>
        context.AmbientValues.TryGetValue(Key, out var value) && value is LiquidBudget budget
            ? budget
            : throw new InvalidOperationException("A Liquid template was rendered without its budget.");

    public void CheckTime()
    {
        // A resource limit, not business time: the workflow clock (TimeProvider) does not apply here.
        if (Stopwatch.GetTimestamp() > _deadline)
            throw new ExpressionException($"Liquid template took longer than {Limits.Timeout.TotalMilliseconds:0} ms to render.");
    }

    public void Charge(long characters)
    {
        _written += characters;
        if (_written > Limits.MaxOutputLength)
            throw new ExpressionException($"Liquid template wrote more than {Limits.MaxOutputLength:N0} characters.");
        CheckTime();
    }

    public FluidValue CheckValue(FluidValue value, string what)
    {
        CheckTime();
        switch (value)
        {
            case StringValue s when s.ToStringValue().Length > Limits.MaxValueLength:
                throw new ExpressionException($"Liquid {what} made a text longer than {Limits.MaxValueLength:N0} characters.");
            case ArrayValue a when a.Values.Count > Limits.MaxItems:
                throw new ExpressionException($"Liquid {what} made a list longer than {Limits.MaxItems:N0} items.");
            default:
                return value;
        }
    }
}

/// <summary>Adds the guards to a parsed template: bounded ranges and a counted writer around every statement that writes.</summary>
internal sealed class LiquidGuardRewriter : AstRewriter
{
    public override Statement Visit(Statement statement)
    {
        var visited = base.Visit(statement);
        return visited is OutputStatement or TextSpanStatement or RawStatement or CycleStatement or IncrementStatement or DecrementStatement
            ? new GuardedWriteStatement(visited)
            : visited;
    }

    protected override Expression VisitRangeExpression(RangeExpression rangeExpression) =>
        new BoundedRangeExpression((RangeExpression)base.VisitRangeExpression(rangeExpression));
}

/// <summary>A range whose length is checked before Fluid builds it (<c>(1..Variables.n)</c> would otherwise allocate n values first).</summary>
internal sealed class BoundedRangeExpression(RangeExpression inner) : Expression
{
    public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
    {
        var budget = LiquidBudget.Of(context);
        budget.CheckTime();
        var from = (await inner.From.EvaluateAsync(context)).ToNumberValue();
        var to = (await inner.To.EvaluateAsync(context)).ToNumberValue();
        if (Math.Abs(to - from) + 1 > budget.Limits.MaxRange)
            throw new ExpressionException($"Liquid range ({from}..{to}) is longer than {budget.Limits.MaxRange:N0}.");
        return await inner.EvaluateAsync(context);
    }
}

/// <summary>Runs a writing statement with a writer that charges the render's budget, whichever writer it was given (captures have their own).</summary>
internal sealed class GuardedWriteStatement(Statement inner) : Statement
{
    public override ValueTask<Completion> WriteToAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var counted = writer as BudgetedWriter ?? new BudgetedWriter(writer, LiquidBudget.Of(context));
        return inner.WriteToAsync(counted, encoder, context);
    }
}

/// <summary>Counts what passes through it against the budget before handing it on.</summary>
internal sealed class BudgetedWriter(TextWriter inner, LiquidBudget budget) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) { budget.Charge(1); inner.Write(value); }
    public override void Write(string? value) { budget.Charge(value?.Length ?? 0); inner.Write(value); }
    public override void Write(char[] buffer, int index, int count) { budget.Charge(count); inner.Write(buffer, index, count); }
    public override void Write(ReadOnlySpan<char> buffer) { budget.Charge(buffer.Length); inner.Write(buffer); }

    public override Task WriteAsync(char value) { Write(value); return Task.CompletedTask; }
    public override Task WriteAsync(string? value) { Write(value); return Task.CompletedTask; }
    public override Task WriteAsync(char[] buffer, int index, int count) { Write(buffer, index, count); return Task.CompletedTask; }
    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) { Write(buffer.Span); return Task.CompletedTask; }
}

/// <summary>Wraps every filter so its result is checked, and refuses up front the two whose result can be the product of their inputs.</summary>
internal static class LiquidFilterGuards
{
    public static void Apply(FilterCollection filters)
    {
        foreach (var (name, filter) in filters.ToList())
            filters.AddFilter(name, Guard(name, filter));
    }

    private static FilterDelegate Guard(string name, FilterDelegate filter) => async (input, arguments, context) =>
    {
        var budget = LiquidBudget.Of(context);
        budget.CheckTime();
        Precheck(name, input, arguments, budget);
        return budget.CheckValue(await filter(input, arguments, context), $"filter '{name}'");
    };

    private static void Precheck(string name, FluidValue input, FilterArguments arguments, LiquidBudget budget)
    {
        long estimate = name switch
        {
            // "x" replaced by a 100,000-character text 100,000 times: 10^10 characters before any post-check.
            "replace" => ReplaceEstimate(input.ToStringValue(), arguments.At(0).ToStringValue(), arguments.At(1).ToStringValue()),
            "join" => JoinEstimate(input, arguments.At(0).ToStringValue()),
            _ => 0,
        };
        if (estimate > budget.Limits.MaxValueLength)
            throw new ExpressionException($"Liquid filter '{name}' would make a text longer than {budget.Limits.MaxValueLength:N0} characters.");
    }

    private static long ReplaceEstimate(string text, string search, string replacement)
    {
        if (search.Length == 0 || replacement.Length <= search.Length) return text.Length;
        long occurrences = 0;
        for (var at = text.IndexOf(search, StringComparison.Ordinal); at >= 0; at = text.IndexOf(search, at + search.Length, StringComparison.Ordinal))
            occurrences++;
        return text.Length + occurrences * (replacement.Length - search.Length);
    }

    private static long JoinEstimate(FluidValue input, string separator)
    {
        if (input is not ArrayValue array) return input.ToStringValue().Length;
        long total = (long)separator.Length * Math.Max(0, array.Values.Count - 1);
        foreach (var item in array.Values) total += item.ToStringValue().Length;
        return total;
    }
}
