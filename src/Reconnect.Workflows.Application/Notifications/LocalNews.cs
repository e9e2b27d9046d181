using Microsoft.Extensions.Logging;

namespace Reconnect.Workflows.Application.Notifications;

/// <summary>
/// In-process publish/subscribe for one node's open pages (inboxes, bells): handlers are kept copy-on-write, so
/// publishing never takes the lock or sees the list changing, and one failing handler never keeps the news from the
/// others. <see cref="Tasks.TaskNotifications"/> and <see cref="NotificationNews"/> are this with their own messages.
/// </summary>
internal sealed class LocalNews<T, TItem>(string what, ILogger? logger) where T : IReadOnlyCollection<TItem>
{
    private readonly Lock _gate = new();
    private Action<T>[] _handlers = [];

    public int SubscriberCount => Volatile.Read(ref _handlers).Length;

    /// <summary>Calls <paramref name="handler"/> on every publication until the handle is disposed; it runs on the publishing thread.</summary>
    public IDisposable Subscribe(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate) _handlers = [.. _handlers, handler];
        return new Subscription(this, handler);
    }

    public void Publish(T news)
    {
        if (news.Count == 0) return;
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            try
            {
                handler(news);
            }
#pragma warning disable CA1031 // one broken subscriber must not keep the news from the others
            catch (Exception ex)
            {
                logger?.LogWarning(ex, "A subscriber failed on news of {Count} {What}; the others were told", news.Count, what);
            }
#pragma warning restore CA1031
        }
    }

    private void Unsubscribe(Action<T> handler)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, handler);
            if (index >= 0) _handlers = [.. _handlers[..index], .. _handlers[(index + 1)..]];
        }
    }

    private sealed class Subscription(LocalNews<T, TItem> owner, Action<T> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Unsubscribe(handler);
        }
    }
}
