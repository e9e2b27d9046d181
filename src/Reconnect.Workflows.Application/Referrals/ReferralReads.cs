using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Model;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>What a list of referrals asks for, checked (every problem at once) by <see cref="TryParse"/>.</summary>
public sealed record ReferralListQuery(string? Site = null, string? Stage = null, int Page = 1, int PageSize = ReferralListQuery.DefaultPageSize)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>The query from text (the API's query string): unknown sites and stages, pages out of range → errors by field.</summary>
    public static ReferralListQuery? TryParse(string? site, string? stage, string? page, string? pageSize, IReadOnlyList<string> sites,
        out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? siteFilter = null;
        if (!string.IsNullOrWhiteSpace(site))
        {
            siteFilter = sites.FirstOrDefault(s => string.Equals(s, site.Trim(), StringComparison.OrdinalIgnoreCase));
            if (siteFilter is null) errors["site"] = [$"'{site}' is not a known site ({string.Join(", ", sites)})."];
        }
        string? stageFilter = null;
        if (!string.IsNullOrWhiteSpace(stage))
        {
            if (Enum.TryParse<ReferralStage>(stage.Trim(), ignoreCase: true, out var st) && Enum.IsDefined(st) && !int.TryParse(stage, out _)) stageFilter = st.ToString();
            else errors["stage"] = [$"'{stage}' is not one of {string.Join(", ", Enum.GetNames<ReferralStage>())}."];
        }
        var pageNumber = Whole(page, "page", 1, 1, 100_000, errors);
        var size = Whole(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        return errors.Count > 0 ? null : new ReferralListQuery(siteFilter, stageFilter, pageNumber, size);
    }

    internal static int Whole(string? text, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[name] = [$"must be a whole number from {min} to {max}."];
        return fallback;
    }
}

public abstract record ReferralListResult
{
    /// <summary>Staff: summaries with the person's name and prison number.</summary>
    public sealed record Staff(ReferralPage<ReferralSummaryDto> Page) : ReferralListResult;
    /// <summary>A referrer: the status of the referrals they made.</summary>
    public sealed record Own(ReferralPage<ReferralStatusDto> Page) : ReferralListResult;
    public sealed record Forbidden(string Message) : ReferralListResult;
}

public abstract record ReferralReadResult
{
    public sealed record Detail(ReferralDetailDto Referral) : ReferralReadResult;
    public sealed record Status(ReferralStatusDto Referral) : ReferralReadResult;
    /// <summary>Not there, or not the caller's to see: the same answer, so it reveals nothing.</summary>
    public sealed record NotFound(string Message) : ReferralReadResult;
}

/// <summary>
/// Reading referrals: who may see what (<see cref="ReferralCaller"/>), the projections (<see cref="ReferralQueries"/>),
/// and one audit row per read — the API's <c>GET /api/referrals…</c> and the UI's pages both come here.
/// </summary>
public sealed class ReferralReads(IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock)
{
    public const string AuditEntityType = "Referral";

    /// <summary>
    /// Newest first (ids are UUIDv7 hex, so id order is creation order), <c>hasMore</c> instead of a total. A navigator
    /// asking for another site's referrals is refused: the filter names something they may not see.
    /// </summary>
    public async Task<ReferralListResult> ListAsync(ClaimsPrincipal user, ReferralListQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
        if (caller.Scope == ReferralScope.Site && query.Site is not null && query.Site != caller.Site)
            return new ReferralListResult.Forbidden("A navigator sees the referrals of their own site only.");

        var size = query.PageSize;
        var rows = caller.Visible(db.Referrals.AsNoTracking());
        if (query.Site is not null) rows = rows.Where(r => r.Site == query.Site);
        if (query.Stage is not null) rows = rows.Where(r => r.Stage == query.Stage);
        rows = rows.OrderByDescending(r => r.Id).Skip((query.Page - 1) * size).Take(size + 1);

        if (caller.Scope == ReferralScope.Own)
        {
            var own = await rows.Select(r => new { r.Id, r.Reference, r.Stage, r.ReleaseDate, r.ClosureReason, r.ReferralDate, r.CreatedAt }).ToListAsync(cancellationToken);
            var items = own.Take(size).Select(r => new ReferralStatusDto(r.Id, r.Reference, r.Stage, ReferralQueries.Window(r.ReleaseDate), r.ClosureReason, r.ReferralDate, r.CreatedAt, null)).ToList();
            await AuditListAsync(user, items.Select(i => i.Id), query);
            return new ReferralListResult.Own(new ReferralPage<ReferralStatusDto>(items, query.Page, size, own.Count > size));
        }
        var staff = await rows.Select(r => new
        {
            r.Id, r.Reference, r.WorkflowInstanceId, r.Stage, r.Site, r.ReleaseDate, r.ClosureReason, r.ReferralDate,
            r.GivenName, r.FamilyName, r.PrisonNumber, r.NavigatorId, r.CreatedAt,
        }).ToListAsync(cancellationToken);
        var summaries = staff.Take(size).Select(r => new ReferralSummaryDto(r.Id, r.Reference, r.WorkflowInstanceId, r.Stage, r.Site, r.ReleaseDate,
            ReferralQueries.Window(r.ReleaseDate), r.ClosureReason, r.ReferralDate, new PersonSummaryDto(r.GivenName, r.FamilyName, r.PrisonNumber),
            r.NavigatorId, r.CreatedAt)).ToList();
        await AuditListAsync(user, summaries.Select(i => i.Id), query);
        return new ReferralListResult.Staff(new ReferralPage<ReferralSummaryDto>(summaries, query.Page, size, staff.Count > size));
    }

    /// <summary>Staff see the whole referral, its referrer the status, anyone else "not found". Each read is audited.</summary>
    public async Task<ReferralReadResult> GetAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
        var referral = await caller.Visible(db.Referrals.AsNoTracking()).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (referral is null) return new ReferralReadResult.NotFound($"No referral '{Cut(id)}'.");
        if (caller.Scope == ReferralScope.Own)
        {
            var status = await ReferralQueries.StatusAsync(db, referral, cancellationToken);
            await AuditAsync(user, "read-status", referral.Id, null);
            return new ReferralReadResult.Status(status);
        }
        var detail = await ReferralQueries.DetailAsync(db, referral, clock.GetUtcNow(), cancellationToken);
        await AuditAsync(user, AuditActions.Read, referral.Id, null);
        return new ReferralReadResult.Detail(detail);
    }

    /// <summary>What the caller may see of referrals (scope and, for a navigator, their site), for pages that adapt to it.</summary>
    public async Task<ReferralCaller> CallerAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ReferralCaller.FromAsync(user, db, cancellationToken);
    }

    /// <summary>True when the caller may see the referral at all (staff of its site, managers, admins, its referrer).</summary>
    public async Task<bool> IsVisibleAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
        return await caller.Visible(db.Referrals.AsNoTracking()).AnyAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>The service's measures over [from, to] (London dates) at the workflow clock's now.</summary>
    public async Task<MeasuresDto> MeasuresAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return await ReferralQueries.MeasuresAsync(db, now, LondonTime.Today(now), from, to, cancellationToken);
    }

    /// <summary>The 21-day measure by week of release for the last <paramref name="weeks"/> weeks.</summary>
    public async Task<IReadOnlyList<EngagementWeekDto>> EngagementByWeekAsync(int weeks, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ReferralQueries.EngagementByWeekAsync(db, LondonTime.Today(clock.GetUtcNow()), weeks, cancellationToken);
    }

    /// <summary>One audit row for a referral read or change.</summary>
    internal Task AuditAsync(ClaimsPrincipal user, string action, string referralId, JsonObject? detail) =>
        AuditTrail.WriteAsync(contexts, user, clock, action, AuditEntityType, referralId, detail);

    /// <summary>A list read: one row naming the referral ids on the page (ids only) and the filters.</summary>
    private Task AuditListAsync(ClaimsPrincipal user, IEnumerable<string> ids, ReferralListQuery query) =>
        AuditTrail.WriteAsync(contexts, user, clock, AuditActions.List, AuditEntityType, null, new JsonObject
        {
            ["site"] = query.Site, ["stage"] = query.Stage, ["page"] = query.Page, ["ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
        });

    private static string Cut(string id) => id.Length <= 80 ? id : id[..80];
}
