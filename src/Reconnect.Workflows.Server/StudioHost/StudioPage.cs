using System.Text;
using System.Text.Encodings.Web;

namespace Reconnect.Workflows.Server.StudioHost;

/// <summary>
/// The host pages: plain HTML (not a Blazor component — Studio is its own Blazor WebAssembly app, and two Blazor
/// runtimes on one page clash) holding one of Studio's custom elements, with the package's stylesheets and scripts.
/// <c>&lt;base href="/studio/"&gt;</c>: Studio's files are served under <c>/studio/</c>, and Blazor's navigation
/// manager refuses a page whose address is not under its base, so the pages live there too.
/// </summary>
public static class StudioPage
{
    /// <summary>One of Studio's custom elements with its attributes (already known to be safe names; values are encoded here).</summary>
    public sealed record Element(string Tag, IReadOnlyList<KeyValuePair<string, string>> Attributes);

    private static readonly string[] Styles =
    [
        "_content/MudBlazor/MudBlazor.min.css",
        "_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.css",
        "_content/Radzen.Blazor/css/material-base.css",
        "_content/Elsa.Studio.Shell/css/shell.css",
        "Elsa.Studio.Host.CustomElements.styles.css",
    ];

    private static readonly string[] Scripts =
    [
        "_content/BlazorMonaco/jsInterop.js",
        "_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js",
        "_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js",
        "_content/MudBlazor/MudBlazor.min.js",
        "_content/CodeBeam.MudBlazor.Extensions/MudExtensions.min.js",
        "_content/Radzen.Blazor/Radzen.Blazor.js",
        "_framework/blazor.webassembly.js",
    ];

    private const string Css = """
        html, body { margin: 0; height: 100%; font-family: Roboto, Arial, sans-serif; }
        body { display: flex; flex-direction: column; }
        .reconnect-bar { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #1e3a5f; color: #fff; }
        .reconnect-bar a { color: #fff; }
        .reconnect-bar .title { font-weight: 500; margin-right: auto; }
        .reconnect-bar .who { font-size: .875rem; opacity: .85; }
        main { flex: 1; min-height: 0; position: relative; overflow: auto; }
        main > * { display: block; height: 100%; }
        .notice { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
        code { background: #f1f1f1; padding: 0 .25rem; }
        #blazor-error-ui { display: none; position: fixed; bottom: 0; left: 0; right: 0; padding: .5rem 1rem; background: #fde68a; z-index: 2000; }
        """;

    /// <summary>A page with Studio's element: <paramref name="links"/> go in our bar (text, href).</summary>
    public static string Render(string title, string who, Element element, IReadOnlyList<(string Text, string Href)> links)
    {
        var html = new StringBuilder();
        Head(html, title);
        foreach (var style in Styles) html.Append("<link rel=\"stylesheet\" href=\"").Append(Attr(style)).Append("\">\n");
        html.Append("</head>\n<body>\n");
        Bar(html, title, who, links);
        html.Append("<main id=\"studio\">\n<").Append(element.Tag);
        foreach (var (name, value) in element.Attributes) html.Append(' ').Append(name).Append("=\"").Append(Attr(value)).Append('"');
        html.Append("></").Append(element.Tag).Append(">\n</main>\n");
        html.Append("<div id=\"blazor-error-ui\" role=\"alert\">Elsa Studio hit an error. <a href=\"\" class=\"reload\">Reload</a> <a class=\"dismiss\" href=\"#\">Dismiss</a></div>\n");
        foreach (var script in Scripts) html.Append("<script src=\"").Append(Attr(script)).Append("\"></script>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The page when Studio's files are not there: what to run.</summary>
    public static string NotInstalled(string folder)
    {
        var html = new StringBuilder();
        Head(html, "Elsa Studio is not installed");
        html.Append("</head>\n<body>\n");
        Bar(html, "Elsa Studio", "", [("Reconnect", "/")]);
        html.Append("<main><div class=\"notice\" id=\"studio-missing\"><h1>Elsa Studio is not installed</h1>")
            .Append("<p>This server serves Elsa Studio 3.8.2 from <code>").Append(Html(folder)).Append("</code>, which does not hold it.</p>")
            .Append("<p>Run <code>scripts/install-elsa-studio.sh</code> from the repository (<code>./run.sh</code> and <code>./test.sh</code> run it), ")
            .Append("then reload this page. It downloads the npm package <code>@elsa-workflows/elsa-studio-wasm@3.8.2</code> (about 46 MB).</p>")
            .Append("<p>Our own designer works without it: <a href=\"/designer\">Pathways</a>.</p></div></main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Head(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n")
            .Append("<title>").Append(Html(title)).Append(" · Elsa Studio · Reconnect</title>\n")
            .Append("<base href=\"").Append(ElsaStudioEndpoints.Base).Append("/\">\n")
            .Append("<link rel=\"icon\" type=\"image/png\" href=\"_content/Elsa.Studio.Shell/favicon-32x32.png\">\n")
            .Append("<style>").Append(Css).Append("</style>\n");
    }

    private static void Bar(StringBuilder html, string title, string who, IReadOnlyList<(string Text, string Href)> links)
    {
        html.Append("<header class=\"reconnect-bar\"><span class=\"title\">").Append(Html(title)).Append("</span><nav aria-label=\"Elsa Studio\">");
        foreach (var (text, href) in links) html.Append(" <a href=\"").Append(Attr(href)).Append("\">").Append(Html(text)).Append("</a>");
        html.Append("</nav>");
        if (who.Length > 0) html.Append("<span class=\"who\">").Append(Html(who)).Append("</span>");
        html.Append("</header>\n");
    }

    private static string Html(string text) => HtmlEncoder.Default.Encode(text);

    private static string Attr(string text) => HtmlEncoder.Default.Encode(text);
}
