using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Application.Audit;

/// <summary>One row of the audit trail as it is read back: ids, the action and its detail (ids and counts only).</summary>
public sealed record AuditEntryDto(DateTimeOffset At, string? UserId, string? UserEmail, string Action, string SubjectType, string? SubjectId, JsonNode? Detail);

public sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, int Total);

/// <summary>What the audit trail is asked for (<c>GET /api/audit</c>), checked — every problem at once — by <see cref="TryParse"/>.</summary>
public sealed record AuditQuery(string? ReferralId = null, string? UserId = null, string? Action = null, DateOnly? From = null, DateOnly? To = null,
    int Page = 1, int PageSize = AuditQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static AuditQuery? TryParse(string? referralId, string? userId, string? action, string? from, string? to, string? page, string? pageSize,
        out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (referralId is { Length: > 100 }) errors["referralId"] = ["is longer than 100 characters"];
        if (userId is { Length: > 450 }) errors["userId"] = ["is longer than 450 characters"];
        if (action is { Length: > 100 }) errors["action"] = ["is longer than 100 characters"];
        var fromDate = Date(from, "from", errors);
        var toDate = Date(to, "to", errors);
        if (fromDate is { } f && toDate is { } t && f > t) errors["from"] = ["from must be on or before to."];
        var pageNumber = ReferralListQuery.Whole(page, "page", 1, 1, 100_000, errors);
        var size = ReferralListQuery.Whole(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (errors.Count > 0) return null;
        return new AuditQuery(Blank(referralId), Blank(userId), Blank(action), fromDate, toDate, pageNumber, size);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateOnly? Date(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1900 and <= 2999) return date;
        errors[name] = [$"'{text}' is not a date (YYYY-MM-DD) between 1900 and 2999."];
        return null;
    }
}

public abstract record AuditLogResult
{
    public sealed record Page(AuditPage Entries) : AuditLogResult;
    public sealed record Forbidden(string Message) : AuditLogResult;
}

/// <summary>
/// Reading the audit trail back: who looked at or changed what, newest first (UK GDPR Art. 15 requests, information
/// governance). Managers and admins only. A referral's entries are its own rows (read, create, event) plus the list
/// pages and task changes that named it.
/// </summary>
public sealed class AuditLog(IDbContextFactory<ReconnectDbContext> contexts)
{
    public static readonly IReadOnlyList<string> ReadRoles = [Roles.Manager, Roles.Admin];

    public static bool MayRead(ClaimsPrincipal user) => ReadRoles.Any(user.IsInRole);

    public async Task<AuditLogResult> QueryAsync(ClaimsPrincipal user, AuditQuery query, CancellationToken cancellationToken = default)
    {
        if (!MayRead(user)) return new AuditLogResult.Forbidden("Only managers and admins read the audit trail.");
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.AuditEntries.AsNoTracking();
        if (query.ReferralId is { } referralId)
        {
            // Its own rows, and the rows that name it in their detail (a list page's ids, a task's referral).
            var quoted = "\"" + referralId + "\"";
            rows = rows.Where(a => (a.EntityType == ReferralReads.AuditEntityType && a.EntityId == referralId)
                || (a.DetailJson != null && a.DetailJson.Contains(quoted)));
        }
        if (query.UserId is { } userId) rows = rows.Where(a => a.UserId == userId);
        if (query.Action is { } action) rows = rows.Where(a => a.Action == action);
        if (query.From is { } from)
        {
            var start = LondonTime.StartOfDay(from);
            rows = rows.Where(a => a.At >= start);
        }
        if (query.To is { } to)
        {
            var end = LondonTime.StartOfDay(to.AddDays(1));
            rows = rows.Where(a => a.At < end);
        }
        var total = await rows.CountAsync(cancellationToken);
        var page = await rows.OrderByDescending(a => a.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .ToListAsync(cancellationToken);
        var items = page.Select(a => new AuditEntryDto(a.At, a.UserId, a.UserName, a.Action, a.EntityType, a.EntityId,
            a.DetailJson is null ? null : JsonNode.Parse(a.DetailJson))).ToList();
        return new AuditLogResult.Page(new AuditPage(items, total));
    }

    /// <summary>The same rows as CSV (RFC 4180: every field quoted, quotes doubled), with a header line.</summary>
    public static string ToCsv(IEnumerable<AuditEntryDto> entries)
    {
        var csv = new StringBuilder("at,userId,userEmail,action,subjectType,subjectId,detail\r\n");
        foreach (var e in entries)
        {
            string[] fields = [LondonTime.Format(e.At), e.UserId ?? "", e.UserEmail ?? "", e.Action, e.SubjectType, e.SubjectId ?? "", e.Detail?.ToJsonString() ?? ""];
            csv.Append(string.Join(',', fields.Select(Quote))).Append("\r\n");
        }
        return csv.ToString();
    }

    // A leading =, +, - or @ would run as a formula in a spreadsheet: prefixed with ' (OWASP CSV injection).
    private static string Quote(string field) =>
        "\"" + (field.Length > 0 && "=+-@".Contains(field[0]) ? "'" + field : field).Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
