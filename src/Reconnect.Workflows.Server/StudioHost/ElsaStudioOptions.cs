using System.ComponentModel.DataAnnotations;

namespace Reconnect.Workflows.Server.StudioHost;

/// <summary>Configuration section <c>ElsaStudio</c>: where scripts/install-elsa-studio.sh unpacked Studio, and its tokens' lifetime.</summary>
public sealed class ElsaStudioOptions
{
    public const string Section = "ElsaStudio";

    /// <summary>The unpacked npm package (index.html, _framework/, _content/); relative paths are from the repository root.</summary>
    [Required]
    public string Path { get; set; } = "artifacts/elsa-studio";

    /// <summary>
    /// How long the bearer token handed to Studio's elements lasts. Studio reads it once when an element starts, so a
    /// page open longer than this needs a reload; short because it sits in the page's HTML.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "08:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
