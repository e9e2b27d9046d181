namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>
/// The Elsa-3-compatible API under <see cref="Base"/> (docs/elsa-api.md), for Elsa Studio 3.8 as a client: our bearer
/// tokens and the same policies as <c>/api</c>, thin adapters over the application services.
/// </summary>
public static class ElsaApiEndpoints
{
    public const string Base = "/elsa/api";

    public static IEndpointRouteBuilder MapElsaApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Base).WithTags("Elsa-compatible API");
        api.MapElsaDefinitions();
        api.MapElsaDescriptors();
        api.MapElsaInstances();
        return app;
    }
}
