namespace Reconnect.Workflows.Engine.Expressions;

/// <summary>Sandbox limits for scripts. A script that exceeds one faults its activity; it never takes the process down.</summary>
public sealed class JavaScriptOptions
{
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
    public long MemoryLimitBytes { get; set; } = 32 * 1024 * 1024;
    public int MaxStatements { get; set; } = 1_000_000;
    public int MaxRecursionDepth { get; set; } = 256;
    /// <summary>Longest script text accepted (characters).</summary>
    public int MaxScriptLength { get; set; } = 64 * 1024;
    /// <summary>
    /// Bind every variable, input and helper for each script, not only those its text names: a safety switch should a
    /// script reach a global in a way the name scan misses, and the baseline of the <c>pathway-expressions</c> benchmark.
    /// </summary>
    public bool BindEverything { get; set; }
}
