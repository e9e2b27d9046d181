using System.Security.Cryptography;
using System.Text;

namespace Reconnect.Workflows.Engine.Execution;

/// <summary>
/// The one function that computes a bookmark's match key. Stored keys and looked-up keys both come from here, so they
/// cannot disagree (Elsa #7342, #8134). The correlation id is not part of the key: it is stored beside it and matched
/// as an equality filter, so one index serves both correlated and uncorrelated look-ups.
/// </summary>
public static class BookmarkKey
{
    public static string Compute(string stimulusName, string? discriminator)
    {
        var text = stimulusName + "\u001f" + (discriminator ?? "");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }

    public static string ForEvent(string eventName) => Compute(StimulusNames.Event, eventName);

    public static string ForTask(string taskId) => Compute(StimulusNames.Task, taskId);

    public static string ForTimer(string bookmarkId) => Compute(StimulusNames.Timer, bookmarkId);
}
