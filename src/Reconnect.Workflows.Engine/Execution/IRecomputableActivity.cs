using Reconnect.Workflows.Engine.Activities;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// An activity whose bookmark depends on variables (a StartAt at "release date − 7 days", a task due "release date − 28 days").
/// After a step that changed variables the runner asks it again; a different bookmark replaces the old one.
/// </summary>
public interface IRecomputableActivity
{
    /// <returns>The bookmark to keep: the same one when nothing moved.</returns>
    Bookmark Recompute(ActivityContext context, Bookmark bookmark);
}
