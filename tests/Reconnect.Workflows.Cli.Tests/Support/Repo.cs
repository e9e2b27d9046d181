namespace Reconnect.Workflows.Cli.Tests.Support;

/// <summary>Paths to files checked into the repository, Elsa's corpus (testdata/elsa-samples) among them.</summary>
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

    /// <summary>Elsa's corpus, vendored under testdata/ so that a clone alone runs every test.</summary>
    private static string FindCorpus() => Path.Combine(Root, "testdata", "elsa-samples", "corpus");
}
