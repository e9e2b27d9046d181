namespace Reconnect.Workflows.Web.Components.Diagram;

/// <summary>What an activity of an instance has done, as the diagram shows it (in words as well as colour).</summary>
public enum DiagramActivityState
{
    NotRun,
    Ran,
    Waiting,
    Faulted,
}

/// <summary>An activity the instance waits at and what for ("task", "timer due 2026-05-01 09:00", "event released").</summary>
public sealed record DiagramWait(string ActivityId, string WaitsFor);
