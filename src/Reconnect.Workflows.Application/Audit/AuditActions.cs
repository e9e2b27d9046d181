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
    public const string UserCreate = "user-create";
    public const string UserUpdate = "user-update";
    public const string UserDeactivate = "user-deactivate";
    public const string UserReactivate = "user-reactivate";
    public const string PasswordChange = "password-change";
    public const string AbsenceCreate = "absence-create";
    public const string AbsenceDelete = "absence-delete";
    public const string Assign = "assign";
    public const string Release = "release";
    public const string NavigatorChange = "navigator-change";
}
