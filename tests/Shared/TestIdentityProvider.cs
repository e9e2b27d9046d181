using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Reconnect.Workflows.Testing;

/// <summary>A person at the test provider: the claims its tokens carry (<c>email_verified</c> left out when null).</summary>
public sealed record TestPerson(string Subject, string? Email, bool? EmailVerified = null, string Name = "Test person");

/// <summary>
/// A real OpenID Connect provider for the tests: OpenIddict's server on Kestrel (a loopback port, plain http), with
/// discovery, signing keys, an authorization endpoint and a token endpoint, the authorization code flow with PKCE, and
/// one confidential client whose redirect URIs the test names. There is no login page or consent: the authorization
/// endpoint signs in <see cref="Person"/>, whom the test sets before it starts a sign-in. Its store is EF Core on a
/// throwaway SQLite file.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "reconnect-tests";
    public const string ClientSecret = "reconnect-tests-secret-0123456789";

    private readonly WebApplication _app;
    private readonly string _databaseFile;

    /// <summary>Whom the next authorization request signs in (null: the provider answers <c>access_denied</c>).</summary>
    public TestPerson? Person { get; set; }

    /// <summary>The issuer, e.g. <c>http://localhost:41234/</c>: the Authority to configure.</summary>
    public Uri Authority { get; }

    /// <summary>How many authorization requests reached the provider.</summary>
    public int Authorizations => _authorizations;
    private int _authorizations;

    private TestIdentityProvider(WebApplication app, Uri authority, string databaseFile)
    {
        _app = app;
        Authority = authority;
        _databaseFile = databaseFile;
    }

    /// <param name="redirectUris">The client's registered callbacks, e.g. <c>https://localhost/signin-oidc</c>.</param>
    /// <param name="host">The host name in the issuer: <c>localhost</c> (a site other than an app on 127.0.0.1, as in production).</param>
    public static async Task<TestIdentityProvider> StartAsync(IEnumerable<Uri> redirectUris, string host = "localhost")
    {
        var port = FreePort();
        var authority = new Uri($"http://{host}:{port}/");
        var databaseFile = Path.Combine(Path.GetTempPath(), "reconnect-tests", "oidc-" + Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(databaseFile)!);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http1));
        builder.Services.AddDbContext<ProviderDbContext>(o => o.UseSqlite($"Data Source={databaseFile};Pooling=False").UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderDbContext>())
            .AddServer(o =>
            {
                o.SetIssuer(authority);
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.DisableAccessTokenEncryption();
                // Plain http on loopback: the app under test sets RequireHttpsMetadata false.
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        var provider = new TestIdentityProvider(app, authority, databaseFile);
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], provider.Authorize);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProviderDbContext>().Database.EnsureCreatedAsync();
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var client = new OpenIddictApplicationDescriptor
            {
                ClientId = ClientId,
                ClientSecret = ClientSecret,
                ClientType = ClientTypes.Confidential,
                DisplayName = "Reconnect (tests)",
                Permissions =
                {
                    Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                    Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                    Permissions.Scopes.Email, Permissions.Scopes.Profile,
                },
                Requirements = { Requirements.Features.ProofKeyForCodeExchange },
            };
            foreach (var uri in redirectUris) client.RedirectUris.Add(uri);
            await applications.CreateAsync(client);
        }
        await app.StartAsync();
        return provider;
    }

    /// <summary>The authorization endpoint: signs in <see cref="Person"/> with no login page (OpenIddict makes the code and the response).</summary>
    private IResult Authorize(HttpContext context)
    {
        Interlocked.Increment(ref _authorizations);
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (Person is not { } person)
            return Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Subject).SetClaim(Claims.Name, person.Name);
        if (person.Email is not null) identity.SetClaim(Claims.Email, person.Email);
        if (person.EmailVerified is { } verified)
            identity.AddClaim(new Claim(Claims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { File.Delete(_databaseFile); } catch (IOException) { }
    }

    private sealed class ProviderDbContext(DbContextOptions<ProviderDbContext> options) : DbContext(options);
}
