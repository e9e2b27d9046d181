using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Notifications;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/notifications</c> (any signed-in person; docs/security.md, "Notifications"): the caller's own, newest first,
/// and marking one read (someone else's id is a 404, as an unknown one). Binds, calls <see cref="NotificationService"/>, answers.
/// </summary>
public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        group.MapGet("/", ListAsync);
        group.MapPost("/{id}/read", ReadAsync);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<NotificationDto>>> ListAsync(ClaimsPrincipal user, NotificationService notifications, CancellationToken cancellationToken) =>
        TypedResults.Ok(await notifications.ListAsync(user, cancellationToken));

    private static async Task<Results<Ok<NotificationDto>, ProblemHttpResult>> ReadAsync(
        string id, ClaimsPrincipal user, NotificationService notifications, CancellationToken cancellationToken) =>
        await notifications.MarkReadAsync(user, id, cancellationToken) switch
        {
            NotificationReadResult.Done done => TypedResults.Ok(done.Notification),
            _ => Problems.NotFound($"No notification '{(id.Length <= 80 ? id : id[..80])}'."),
        };
}
