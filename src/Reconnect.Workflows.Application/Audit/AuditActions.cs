namespace Reconnect.Workflows.Application.Audit;

/// <summary>The actions an audit row records (<c>GET /api/audit?action=</c>), one word each.</summary>
public static class AuditActions
{
    public const string Read = "read";
    public const string ReadStatus = "read-status";
    public const string List = "list";
    public const string Create = "create";
    public const string Event = "event";
    public const string Claim = "claim";
    public const string Complete = "complete";
}
