namespace Reconnect.Workflows.Engine.Tests;

internal static class Paths
{
    /// <summary>The repository root: the folder that holds the solution file.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Elsa's sample workflows, vendored from ../shared/elsa-samples into testdata/ so a clone alone runs every test.</summary>
    public static string ElsaSamples => Path.Combine(Root, "testdata", "elsa-samples");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (Reconnect.Workflows.sln).");
    }
}
