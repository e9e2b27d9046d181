using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.StaticFiles;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Server.ElsaApi;

namespace Reconnect.Workflows.Server.StudioHost;

/// <summary>
/// Elsa Studio 3.8.2 hosted by our server (docs/elsa-api.md, "Hosting Elsa Studio"): its files under <see cref="Base"/>
/// (from <see cref="ElsaStudioOptions.Path"/>, installed by scripts/install-elsa-studio.sh), and four pages for the
/// user signed in with our cookie, each with one of Studio's custom elements talking to <c>/elsa/api</c> with a bearer
/// token minted for that user.
/// </summary>
public static class ElsaStudioEndpoints
{
    public const string Base = "/studio";

    /// <summary>The package's folders and files the pages load; its sample index.html is not served.</summary>
    private static readonly string[] FilePrefixes = [Base + "/_framework/", Base + "/_content/"];
    private static readonly string[] Files = [Base + "/Elsa.Studio.Host.CustomElements.styles.css", Base + "/appsettings.json"];

    public static IServiceCollection AddElsaStudio(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ElsaStudioOptions>().Bind(configuration.GetSection(ElsaStudioOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StudioFiles>();
        services.AddScoped<StudioTokens>();
        return services;
    }

    /// <summary>
    /// Studio's static files, early in the pipeline (before authentication: they are the public npm package, and ~150
    /// requests per cold load should not each read the account). <c>.dat</c> (ICU data) as application/octet-stream.
    /// </summary>
    public static IApplicationBuilder UseElsaStudioFiles(this IApplicationBuilder app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".webmanifest"] = "application/manifest+json";
        var options = new StaticFileOptions
        {
            RequestPath = Base,
            FileProvider = app.ApplicationServices.GetRequiredService<StudioFiles>(),
            ContentTypeProvider = types,
        };
        return app.UseWhen(context => IsStudioFile(context.Request.Path), branch => branch.UseStaticFiles(options));
    }

    private static bool IsStudioFile(PathString path) =>
        path.Value is { } value
        && (FilePrefixes.Any(p => value.StartsWith(p, StringComparison.Ordinal)) || Files.Contains(value, StringComparer.Ordinal));

    public static IEndpointRouteBuilder MapElsaStudio(this IEndpointRouteBuilder app)
    {
        // Blazor's base is "/studio/": the list lives at the base itself, so "/studio" (same route) is sent there.
        app.MapGet(Base + "/", (HttpContext context, ClaimsPrincipal user) => !context.Request.Path.Value!.EndsWith('/')
            ? Task.FromResult<IResult>(TypedResults.Redirect(Base + "/"))
            : PageAsync(context, user, Policies.ReadWorkflows, "Workflow definitions",
            new StudioPage.Element("elsa-workflow-definition-list", [])))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(Base + "/definitions/{definitionId}", (HttpContext context, ClaimsPrincipal user, string definitionId) => PageAsync(context, user, Policies.ReadWorkflows,
            "Workflow definition " + definitionId,
            new StudioPage.Element("elsa-workflow-definition-editor", [new("definition-id", definitionId)]),
            ("Open in our designer", "/designer/" + Uri.EscapeDataString(definitionId))))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(Base + "/instances", (HttpContext context, ClaimsPrincipal user) => PageAsync(context, user, Policies.ReadInstances, "Workflow instances",
            new StudioPage.Element("elsa-workflow-instance-list", [])))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet(Base + "/instances/{instanceId}", (HttpContext context, ClaimsPrincipal user, string instanceId) => PageAsync(context, user, Policies.ReadInstances,
            "Workflow instance " + instanceId,
            new StudioPage.Element("elsa-workflow-instance-viewer", [new("instance-id", instanceId)]),
            ("Open in our viewer", "/instances/" + Uri.EscapeDataString(instanceId))))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The page for a user signed in with our cookie (not a bearer caller: the page mints tokens) who passes
    /// <paramref name="policy"/> — the same policy the API applies, so Studio never shows a page it cannot fill.
    /// </summary>
    private static async Task<IResult> PageAsync(HttpContext context, ClaimsPrincipal user, string policy, string title, StudioPage.Element element, params (string Text, string Href)[] extraLinks)
    {
        var path = context.Request.Path.Value ?? Base + "/";
        var byCookie = context.Request.Cookies.ContainsKey(AuthServiceCollectionExtensions.CookieName) && context.Request.Headers.Authorization.Count == 0;
        if (user.Identity?.IsAuthenticated != true || !byCookie)
            return TypedResults.Redirect("/login?ReturnUrl=" + Uri.EscapeDataString(path));
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(user, policy)).Succeeded)
            return TypedResults.Redirect(Web.Components.UiRegistration.AccessDeniedPath);

        NoStore(context.Response);
        var files = context.RequestServices.GetRequiredService<StudioFiles>();
        if (!files.Installed)
            return TypedResults.Content(StudioPage.NotInstalled(files.Folder), "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);

        var token = await context.RequestServices.GetRequiredService<StudioTokens>().MintAsync(user);
        if (token is null) return TypedResults.Redirect("/login?ReturnUrl=" + Uri.EscapeDataString(path));
        var attributes = new List<KeyValuePair<string, string>>(element.Attributes)
        {
            // Absolute: Studio makes a Uri of it, and on Linux "/elsa/api" alone is a file path (file:///elsa/api).
            new("remote-endpoint", $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{ElsaApiEndpoints.Base}"),
            new("access-token", token),
        };
        var mayReadInstances = (await authorization.AuthorizeAsync(user, Policies.ReadInstances)).Succeeded;
        var links = new List<(string Text, string Href)> { ("Definitions", Base + "/") };
        if (mayReadInstances) links.Add(("Instances", Base + "/instances"));
        links.AddRange(extraLinks);
        links.Add(("Reconnect", "/"));
        var who = user.FindFirstValue(ClaimTypes.Name) ?? "";
        return TypedResults.Content(StudioPage.Render(title, who, element with { Attributes = attributes }, links), "text/html; charset=utf-8");
    }

    /// <summary>The page carries a bearer token: never cached, never sent on as a referrer.</summary>
    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }
}
