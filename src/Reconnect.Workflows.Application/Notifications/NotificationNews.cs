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
    private readonly Lock _gate = new();
    private Action<IReadOnlyCollection<string>>[] _handlers = [];

    /// <summary>Calls <paramref name="handler"/> with recipients' ids until disposed; it runs on the publishing thread: hand off and return.</summary>
    public IDisposable Subscribe(Action<IReadOnlyCollection<string>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    public int SubscriberCount => Volatile.Read(ref _handlers).Length;

    public void Published(IReadOnlyCollection<string> userIds)
    {
        if (userIds.Count == 0) return;
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(userIds);
            }
#pragma warning disable CA1031 // one broken bell must not keep the news from the others
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "A notification subscriber failed on news for {Count} people; the others were told", userIds.Count);
            }
#pragma warning restore CA1031
        }
    }

    private void Unsubscribe(Action<IReadOnlyCollection<string>> handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, handler);
            if (index >= 0) _handlers = [.. _handlers[..index], .. _handlers[(index + 1)..]];
        }
    }

    private sealed class Subscription(NotificationNews owner, Action<IReadOnlyCollection<string>> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(handler);
        }
    }
}
