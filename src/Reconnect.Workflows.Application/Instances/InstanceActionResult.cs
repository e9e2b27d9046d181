using Reconnect.Workflows.Application.Workflows;

namespace Reconnect.Workflows.Application.Instances;

/// <summary>
/// What a cancel or retry came to, before it becomes an HTTP answer (200, 404, 409) or a message on the instance viewer:
/// the API and the page run the same code and differ only in how they show the outcome.
/// </summary>
public abstract record InstanceActionResult
{
    private InstanceActionResult() { }

    /// <summary>Done and audited; the instance as it is now.</summary>
    public sealed record Applied(InstanceDetail Instance) : InstanceActionResult;

    public sealed record NotFound(string Message) : InstanceActionResult;

    /// <summary>Not possible in the instance's status (retry of one that is not faulted, cancel of one that has ended).</summary>
    public sealed record NotApplicable(string Message) : InstanceActionResult;

    /// <summary>The caller may not do this (managers and admins cancel and retry).</summary>
    public sealed record Forbidden(string Message) : InstanceActionResult;

    /// <summary>The instance kept changing under us (optimistic concurrency); trying again may work.</summary>
    public sealed record Conflict(string Message) : InstanceActionResult;
}
