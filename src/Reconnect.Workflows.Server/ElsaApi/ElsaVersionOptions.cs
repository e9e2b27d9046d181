namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>Elsa's <c>versionOptions</c> query value: which versions of a definition a read means.</summary>
public enum VersionChoice { Latest, Published, LatestOrPublished, LatestAndPublished, Draft, AllVersions, Specific }

public readonly record struct ElsaVersionOptions(VersionChoice Choice, int Version = 0)
{
    public static readonly ElsaVersionOptions Latest = new(VersionChoice.Latest);

    /// <summary>Parses Elsa's names (case-insensitive) or a version number ≥ 1; null or empty means <paramref name="fallback"/>.</summary>
    public static bool TryParse(string? text, ElsaVersionOptions fallback, out ElsaVersionOptions options)
    {
        options = fallback;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            options = new(VersionChoice.Specific, n);
            return n >= 1;
        }
        if (!Enum.TryParse<VersionChoice>(text.Trim(), ignoreCase: true, out var choice) || choice == VersionChoice.Specific) return false;
        options = new(choice);
        return true;
    }

    /// <summary>Whether a version with these flags is one the options select.</summary>
    public bool Matches(int version, bool isLatest, bool isPublished, bool isDraft) => Choice switch
    {
        VersionChoice.Latest => isLatest,
        VersionChoice.Published => isPublished,
        VersionChoice.LatestOrPublished => isLatest || isPublished,
        VersionChoice.LatestAndPublished => isLatest && isPublished,
        VersionChoice.Draft => isDraft,
        VersionChoice.AllVersions => true,
        _ => version == Version,
    };

    public const string Expected = "Latest, Published, LatestOrPublished, LatestAndPublished, Draft, AllVersions or a version number (1, 2, …)";
}
