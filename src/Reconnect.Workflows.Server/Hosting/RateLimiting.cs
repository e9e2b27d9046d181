using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Reconnect.Workflows.Server.Hosting;

/// <summary><c>Reconnect:RateLimiting</c>: how much one caller may ask of the server at once (docs/reliability.md).</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "Reconnect:RateLimiting";

    public bool Enabled { get; set; } = true;

    /// <summary>Changes (POST, PUT, PATCH, DELETE under <c>/api</c>) one user may have running at the same moment.</summary>
    [Range(1, 10_000)]
    public int ConcurrentChangesPerUser { get; set; } = 4;

    /// <summary>Further changes of that user that wait their turn (oldest first) before the next is refused with 429.</summary>
    [Range(0, 100_000)]
    public int QueuedChangesPerUser { get; set; } = 1_000;

    /// <summary>Sign-in and token refresh attempts per client address per minute (account lockout handles one account).</summary>
    [Range(1, 1_000_000)]
    public int SignInsPerMinutePerAddress { get; set; } = 60;
}

/// <summary>
/// One partitioned limiter for the whole API. Changes are limited by <em>concurrency</em> per user, not by rate: a
/// heavy start (a 10,000-step loop holds a thread for about a second) cannot tie up the server, one user's burst
/// queues behind itself without starving others, and a client working one request at a time is never refused. Sign-in
/// is limited per address and minute against password spraying. Reads are not limited. The Blazor UI's actions run
/// over its circuit, not these endpoints, and are not counted.
/// </summary>
public static class RateLimiting
{
    private static readonly string[] SignInPaths = ["/api/auth/login", "/api/auth/refresh", "/account/login", "/account/login/organisation"];

    public static IServiceCollection AddReconnectRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, options) =>
        {
            limiter.GlobalLimiter = CreateLimiter(options.Value);
            limiter.OnRejected = WriteRejectionAsync;
        });
        return services;
    }

    /// <summary>The partition for each request; public so that it can be tested without a server.</summary>
    public static PartitionedRateLimiter<HttpContext> CreateLimiter(RateLimitingOptions options) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (!options.Enabled) return RateLimitPartition.GetNoLimiter("off");
            var path = context.Request.Path;
            if (HttpMethods.IsPost(context.Request.Method) && SignInPaths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)))
                return RateLimitPartition.GetFixedWindowLimiter("sign-in:" + Address(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.SignInsPerMinutePerAddress,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            // The Elsa-compatible API counts the same way (its POST reads — instance list, journal, report — queue with the changes).
            if (IsChange(context.Request.Method) && (path.StartsWithSegments("/api") || path.StartsWithSegments("/elsa/api")))
            {
                var user = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
                return RateLimitPartition.GetConcurrencyLimiter(user is null ? "changes-anonymous:" + Address(context) : "changes:" + user, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = options.ConcurrentChangesPerUser,
                    QueueLimit = options.QueuedChangesPerUser,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            }
            return RateLimitPartition.GetNoLimiter("reads");
        });

    private static bool IsChange(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "Too many requests at once from this account or address; try again after the time in Retry-After.",
            },
        });
    }
}
