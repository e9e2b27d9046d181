using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Tasks;

namespace Reconnect.Workflows.Persistence.Tests.Infrastructure;

/// <summary>A test-only human task whose due date is the <c>due</c> input (an expression, typically over a variable).</summary>
public sealed class DueTaskActivity : HumanTaskActivity
{
    public const string TypeName = "Test.DueTask";

    public override ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName, DisplayName = "Due task", Category = "Tasks", IsWaiting = true,
        Ports = ["Done"],
        Inputs =
        [
            new InputDescriptor { Name = "title", TypeName = "String", Required = true },
            new InputDescriptor { Name = "due", TypeName = "DateTimeOffset" },
        ],
    };

    protected override string Title(ActivityContext context) => context.GetString("title") ?? "Task";

    protected override DateTimeOffset? Due(ActivityContext context) =>
        context.Evaluate("due") is { } due ? ValueConverter.ToInstant(due) : null;

    public static ActivityRegistry Registry() => ActivityRegistry.CreateDefault().Add(new DueTaskActivity());
}
