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
    /// <summary>A schedule run now, paused, resumed or given a new cron (subject <c>Schedule</c>, its name).</summary>
    public const string Trigger = "trigger";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Retime = "retime";
    /// <summary>Accounts and staff (subject <c>User</c>), and the movement of work between staff.</summary>
    public const string UserCreate = "user-create";
    public const string UserUpdate = "user-update";
    public const string UserDeactivate = "user-deactivate";
    public const string UserReactivate = "user-reactivate";
    public const string PasswordChange = "password-change";
    /// <summary>Sign-in through the organisation's identity provider (subject <c>User</c>): each sign-in, the first one's link, a refusal.</summary>
    public const string SignIn = "sign-in";
    public const string LoginLink = "login-link";
    public const string SignInRefused = "sign-in-refused";
    public const string AbsenceCreate = "absence-create";
    public const string AbsenceDelete = "absence-delete";
    public const string Assign = "assign";
    public const string Release = "release";
    public const string NavigatorChange = "navigator-change";
    /// <summary>A migration started (subject the definition) and each instance it moved (subject the instance).</summary>
    public const string Migrate = "migrate";
    /// <summary>A bulk cancel or retry started (each instance then has its own cancel or retry row).</summary>
    public const string BulkCancel = "bulk-cancel";
    public const string BulkRetry = "bulk-retry";
}
