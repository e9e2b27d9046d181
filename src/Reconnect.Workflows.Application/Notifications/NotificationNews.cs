using Microsoft.Extensions.Logging;

namespace Reconnect.Workflows.Application.Notifications;

/// <summary>
/// In-process news that people have new notifications, for open bells (the pattern of
/// <see cref="Tasks.TaskNotifications"/>): told with the recipients' ids once the rows have committed. This node only;
/// a notification written by a workflow step (an escalation, a full caseload) or on another node is found by the bell's
/// re-read on task news and its 30-second poll.
/// </summary>
public sealed class NotificationNews(ILogger<NotificationNews>? logger = null)
{
    private readonly LocalNews<IReadOnlyCollection<string>, string> _news = new("people with new notifications", logger);

    /// <summary>Calls <paramref name="handler"/> with recipients' ids until disposed; it runs on the publishing thread: hand off and return.</summary>
    public IDisposable Subscribe(Action<IReadOnlyCollection<string>> handler) => _news.Subscribe(handler);

    public int SubscriberCount => _news.SubscriberCount;

    public void Published(IReadOnlyCollection<string> userIds) => _news.Publish(userIds);
}
