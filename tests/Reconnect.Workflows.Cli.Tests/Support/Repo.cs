namespace Reconnect.Workflows.Cli.Tests.Support;

/// <summary>Paths to files checked into the repository and the shared Elsa corpus.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Sample(string name) => Path.Combine(Root, "samples", name);

    public static string Corpus(string name) => Path.Combine(CorpusDirectory, name);

    public static string CorpusDirectory { get; } = FindCorpus();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) return dir.FullName;
        throw new InvalidOperationException("Could not find the repository root (Reconnect.Workflows.sln) above " + AppContext.BaseDirectory);
    }

    private static string FindCorpus()
    {
        for (var dir = new DirectoryInfo(Root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "elsa-samples", "corpus");
            if (Directory.Exists(candidate)) return candidate;
        }
        return "/work/shared/elsa-samples/corpus";
    }
}
