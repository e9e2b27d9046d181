namespace Reconnect.Workflows.Application.Notifications;

/// <summary>One notification as <c>GET /api/notifications</c> answers it; <c>link</c> is a page of the UI.</summary>
public sealed record NotificationDto(string Id, DateTimeOffset At, string Kind, string Text, string? Link, bool Read);
