using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Reconnect.Workflows.Server.StudioHost;

/// <summary>
/// Studio's unpacked files, found again on every request: installing them (scripts/install-elsa-studio.sh) while the
/// server runs needs no restart, and a missing folder is "not installed", not a start-up failure.
/// </summary>
public sealed class StudioFiles(IOptions<ElsaStudioOptions> options, IConfiguration configuration) : IFileProvider
{
    private readonly object _gate = new();
    private PhysicalFileProvider? _provider;

    public string Folder { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(
        configuration["Reconnect:Root"] ?? Directory.GetCurrentDirectory(), options.Value.Path));

    /// <summary>The package is there: the host page's scripts and the WebAssembly framework.</summary>
    public bool Installed =>
        File.Exists(System.IO.Path.Combine(Folder, "_framework", "blazor.webassembly.js"))
        && File.Exists(System.IO.Path.Combine(Folder, "_content", "MudBlazor", "MudBlazor.min.js"));

    public IFileInfo GetFileInfo(string subpath) => Provider?.GetFileInfo(subpath) ?? new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => Provider?.GetDirectoryContents(subpath) ?? NotFoundDirectoryContents.Singleton;

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;

    private PhysicalFileProvider? Provider
    {
        get
        {
            if (!Directory.Exists(Folder)) return null;
            lock (_gate) return _provider ??= new PhysicalFileProvider(Folder);
        }
    }
}
