using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Activities.Tasks;

namespace Reconnect.Workflows.Cli.Tests.Support;

/// <summary>
/// A test-only human task with several outcomes (Approve, Reject, Again), so tests can see which port a simulated answer
/// took. The built-in <c>Elsa.RunTask</c> only has <c>Done</c>, and no Reconnect task activity is registered by default.
/// An optional <c>due</c> input (an instant) sets the task's due date.
/// </summary>
internal sealed class ChoiceTaskActivity : HumanTaskActivity
{
    public const string TypeName = "Test.ChoiceTask";

    public override ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName, DisplayName = "Choice task", Category = "Tasks", IsWaiting = true,
        Ports = ["Approve", "Reject", "Again"],
        Inputs =
        [
            new InputDescriptor { Name = "title", TypeName = "String", Required = true },
            new InputDescriptor { Name = "due", TypeName = "DateTimeOffset" },
        ],
    };

    protected override string Title(ActivityContext context) => context.GetString("title") ?? "Choice";

    protected override DateTimeOffset? Due(ActivityContext context) =>
        context.Evaluate("due") is { } due ? ValueConverter.ToInstant(due) : null;
}
