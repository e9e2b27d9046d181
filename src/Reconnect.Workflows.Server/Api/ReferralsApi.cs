using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Application.Referrals;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// <c>/api/referrals</c> and <c>/api/measures</c> (SPEC §7, §8; shapes, role rules and choices in docs/referrals.md).
/// Every read and change of a referral writes an AuditEntries row (ids only). Nothing here logs a request body or any
/// field of a referral.
/// </summary>
public static class ReferralsApi
{
    private const string Base = "/api/referrals";
    public const string AuditEntityType = "Referral";
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary>Who may do what (least privilege, docs/referrals.md). Kept here as role lists so the policies of other areas are untouched.</summary>
    public static readonly string[] CreateRoles = [Roles.Referrer, Roles.Navigator, Roles.Manager, Roles.Admin];
    public static readonly string[] ReadRoles = [Roles.Referrer, Roles.Navigator, Roles.Manager, Roles.Admin];
    public static readonly string[] EventRoles = [Roles.Navigator, Roles.Manager, Roles.Admin];
    public static readonly string[] MeasureRoles = [Roles.Manager, Roles.Admin];

    public static IEndpointRouteBuilder MapReferralsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Base).WithTags("Referrals");
        group.MapPost("/", CreateAsync).Accepts<ReferralRequest>("application/json").RequireAuthorization(p => p.RequireRole(CreateRoles));
        group.MapGet("/", ListAsync).RequireAuthorization(p => p.RequireRole(ReadRoles));
        group.MapGet("/{id}", GetAsync).RequireAuthorization(p => p.RequireRole(ReadRoles));
        group.MapPost("/{id}/events/{eventName}", SendEventAsync).Accepts<JsonObject>("application/json").RequireAuthorization(p => p.RequireRole(EventRoles));

        app.MapGet("/api/measures", MeasuresAsync).WithTags("Referrals").RequireAuthorization(p => p.RequireRole(MeasureRoles));
        return app;
    }

    // ------------------------------------------------------------------------------------------------ create

    private static async Task<Results<Created<ReferralCreatedDto>, ProblemHttpResult>> CreateAsync(
        HttpRequest request, ClaimsPrincipal user, ReferralService service, IDbContextFactory<ReconnectDbContext> contexts,
        ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReferralRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        switch (await service.CreateAsync(body!, userId, cancellationToken))
        {
            case CreateReferralResult.Invalid invalid:
                return Problems.Unprocessable("The referral was not accepted: every failed rule is listed under its field.",
                    new Dictionary<string, string[]>(invalid.Errors, StringComparer.Ordinal));
            case CreateReferralResult.Duplicate duplicate:
            {
                var details = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Duplicate referral",
                    Detail = "This person already has an open referral; send events to it instead.",
                };
                details.Extensions["openReferralId"] = duplicate.OpenReferralId;
                return TypedResults.Problem(details);
            }
            case CreateReferralResult.PathwayUnavailable unavailable:
                return TypedResults.Problem(unavailable.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Referrals are not being accepted");
            case CreateReferralResult.Created created:
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                var stage = await db.Referrals.AsNoTracking().Where(r => r.Id == created.ReferralId).Select(r => r.Stage).FirstAsync(cancellationToken);
                await AuditAsync(contexts, user, clock, "create", created.ReferralId, new JsonObject { ["workflowInstanceId"] = created.WorkflowInstanceId });
                var window = created.Window is { } w ? new WindowDto(w.Opens, w.Closes) : null;
                return TypedResults.Created($"{Base}/{created.ReferralId}", new ReferralCreatedDto(created.ReferralId, created.WorkflowInstanceId, stage, window));
            }
            default:
                throw new InvalidOperationException("Unknown create result.");
        }
    }

    // ------------------------------------------------------------------------------------------------ reads

    /// <summary>
    /// Newest first (ids are UUIDv7 hex, so id order is creation order), <c>hasMore</c> instead of a total. Staff get
    /// summaries, a referrer the status of the referrals they created. A navigator asking for another site's referrals
    /// gets 403: the filter names something they may not see, and answering it reveals nothing.
    /// </summary>
    private static async Task<Results<Ok<ReferralPage<ReferralSummaryDto>>, Ok<ReferralPage<ReferralStatusDto>>, ProblemHttpResult>> ListAsync(
        string? site, string? stage, string? page, string? pageSize, ClaimsPrincipal user, ReferralService service,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? siteFilter = null;
        if (!string.IsNullOrWhiteSpace(site))
        {
            siteFilter = service.Sites.FirstOrDefault(s => string.Equals(s, site.Trim(), StringComparison.OrdinalIgnoreCase));
            if (siteFilter is null) errors["site"] = [$"'{site}' is not a known site ({string.Join(", ", service.Sites)})."];
        }
        string? stageFilter = null;
        if (!string.IsNullOrWhiteSpace(stage))
        {
            if (Enum.TryParse<ReferralStage>(stage.Trim(), ignoreCase: true, out var st) && Enum.IsDefined(st) && !int.TryParse(stage, out _)) stageFilter = st.ToString();
            else errors["stage"] = [$"'{stage}' is not one of {string.Join(", ", Enum.GetNames<ReferralStage>())}."];
        }
        var pageNumber = ParseInt(page, "page", 1, 1, 100_000, errors);
        var size = ParseInt(pageSize, "pageSize", DefaultPageSize, 1, MaxPageSize, errors);
        if (errors.Count > 0) return Problems.BadRequest("Bad query string.", errors);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
        if (caller.Scope == ReferralScope.Site && siteFilter is not null && siteFilter != caller.Site)
            return TypedResults.Problem("A navigator sees the referrals of their own site only.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

        var query = caller.Visible(db.Referrals.AsNoTracking());
        if (siteFilter is not null) query = query.Where(r => r.Site == siteFilter);
        if (stageFilter is not null) query = query.Where(r => r.Stage == stageFilter);
        query = query.OrderByDescending(r => r.Id).Skip((pageNumber - 1) * size).Take(size + 1);

        if (caller.Scope == ReferralScope.Own)
        {
            var rows = await query.Select(r => new { r.Id, r.Stage, r.ReleaseDate, r.ClosureReason, r.ReferralDate, r.CreatedAt }).ToListAsync(cancellationToken);
            var hasMore = rows.Count > size;
            var items = rows.Take(size).Select(r => new ReferralStatusDto(r.Id, r.Stage, ReferralQueries.Window(r.ReleaseDate), r.ClosureReason, r.ReferralDate, r.CreatedAt, null)).ToList();
            await AuditListAsync(contexts, user, clock, items.Select(i => i.Id), siteFilter, stageFilter, pageNumber);
            return TypedResults.Ok(new ReferralPage<ReferralStatusDto>(items, pageNumber, size, hasMore));
        }
        else
        {
            var rows = await query.Select(r => new
            {
                r.Id, r.WorkflowInstanceId, r.Stage, r.Site, r.ReleaseDate, r.ClosureReason, r.ReferralDate,
                r.GivenName, r.FamilyName, r.PrisonNumber, r.NavigatorId, r.CreatedAt,
            }).ToListAsync(cancellationToken);
            var hasMore = rows.Count > size;
            var items = rows.Take(size).Select(r => new ReferralSummaryDto(r.Id, r.WorkflowInstanceId, r.Stage, r.Site, r.ReleaseDate,
                ReferralQueries.Window(r.ReleaseDate), r.ClosureReason, r.ReferralDate, new PersonSummaryDto(r.GivenName, r.FamilyName, r.PrisonNumber),
                r.NavigatorId, r.CreatedAt)).ToList();
            await AuditListAsync(contexts, user, clock, items.Select(i => i.Id), siteFilter, stageFilter, pageNumber);
            return TypedResults.Ok(new ReferralPage<ReferralSummaryDto>(items, pageNumber, size, hasMore));
        }
    }

    /// <summary>Staff see the whole referral; its referrer the status; anyone else 404 (the answer does not reveal that it exists).</summary>
    private static async Task<Results<Ok<ReferralDetailDto>, Ok<ReferralStatusDto>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
        var referral = await caller.Visible(db.Referrals.AsNoTracking()).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (referral is null) return NoReferral(id);
        if (caller.Scope == ReferralScope.Own)
        {
            var status = await ReferralQueries.StatusAsync(db, referral, cancellationToken);
            await AuditAsync(contexts, user, clock, "read-status", referral.Id, null);
            return TypedResults.Ok(status);
        }
        var detail = await ReferralQueries.DetailAsync(db, referral, clock.GetUtcNow(), cancellationToken);
        await AuditAsync(contexts, user, clock, "read", referral.Id, null);
        return TypedResults.Ok(detail);
    }

    // ------------------------------------------------------------------------------------------------ events

    private static async Task<Results<Ok<ReferralStageDto>, ProblemHttpResult>> SendEventAsync(
        string id, string eventName, HttpRequest request, ClaimsPrincipal user, ReferralService service,
        IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock, CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var caller = await ReferralCaller.FromAsync(user, db, cancellationToken);
            if (!await caller.Visible(db.Referrals.AsNoTracking()).AnyAsync(r => r.Id == id, cancellationToken)) return NoReferral(id);
        }
        if (!ReferralEvents.All.Contains(eventName))
            return Problems.NotFound($"'{eventName}' is not a referral event ({string.Join(", ", ReferralEvents.All)}).");

        var body = await JsonBody.ReadAsync(request, allowEmpty: true, cancellationToken);
        if (body.Problem is not null) return body.Problem;
        JsonObject payload = [];
        if (!body.IsEmpty)
        {
            if (JsonNode.Parse(body.Bytes) is not JsonObject parsed)
                return Problems.BadRequest("The body must be a JSON object.", new() { ["body"] = ["The event's fields go in a JSON object (or leave the body empty)."] });
            // JsonObject builds its dictionary on first use and throws then for a field given twice: refuse it here.
            try { _ = parsed.Count; }
            catch (ArgumentException) { return Problems.BadRequest("The body has a field more than once.", new() { ["body"] = ["Each field may appear once."] }); }
            payload = parsed;
        }
        var allowed = EventFields(eventName);
        var unknown = payload.Select(p => p.Key).Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0)
            return Problems.BadRequest("The body has fields this event does not take.",
                unknown.ToDictionary(k => k, _ => new[] { allowed.Length == 0 ? $"'{eventName}' takes no fields." : $"'{eventName}' takes only {string.Join(", ", allowed)}." }, StringComparer.Ordinal));

        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        switch (await service.SendEventAsync(id, eventName, payload, userId, cancellationToken))
        {
            case ReferralEventResult.Applied applied:
                await AuditAsync(contexts, user, clock, "event", id, new JsonObject { ["event"] = eventName });
                return TypedResults.Ok(new ReferralStageDto(applied.Stage));
            case ReferralEventResult.Invalid invalid:
                return Problems.Unprocessable("The event's fields have problems.", new Dictionary<string, string[]>(invalid.Errors, StringComparer.Ordinal));
            case ReferralEventResult.NotFound notFound:
                return Problems.NotFound(notFound.Message);
            case ReferralEventResult.Conflict conflict:
                return Problems.Conflict(conflict.Message);
            default:
                throw new InvalidOperationException("Unknown event result.");
        }
    }

    private static string[] EventFields(string eventName) => eventName switch
    {
        ReferralEvents.ReleaseDateChanged => ["releaseDate"],
        ReferralEvents.Released => ["date"],
        ReferralEvents.Transferred => ["site"],
        _ => [],
    };

    // ------------------------------------------------------------------------------------------------ measures

    private static async Task<Results<Ok<MeasuresDto>, ProblemHttpResult>> MeasuresAsync(
        string? from, string? to, ReferralService service, IDbContextFactory<ReconnectDbContext> contexts, ControllableTimeProvider clock,
        CancellationToken cancellationToken)
    {
        var today = service.Today;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var toDate = ParseDate(to, "to", today, errors);
        var fromDate = ParseDate(from, "from", toDate.AddDays(-90), errors);
        if (errors.Count == 0 && fromDate > toDate) errors["from"] = ["from must be on or before to."];
        if (errors.Count > 0) return Problems.BadRequest("Bad query string.", errors);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return TypedResults.Ok(await ReferralQueries.MeasuresAsync(db, clock.GetUtcNow(), today, fromDate, toDate, cancellationToken));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static ProblemHttpResult NoReferral(string id) => Problems.NotFound($"No referral '{id}'.");

    /// <summary>One audit row for a referral read or change (also used by the UI's pages).</summary>
    internal static Task AuditAsync(IDbContextFactory<ReconnectDbContext> contexts, ClaimsPrincipal user, ControllableTimeProvider clock, string action, string referralId, JsonObject? detail) =>
        AuditTrail.WriteAsync(contexts, user, clock, action, AuditEntityType, referralId, detail);

    /// <summary>A list read: one row naming the referral ids on the page (ids only) and the filters.</summary>
    internal static Task AuditListAsync(IDbContextFactory<ReconnectDbContext> contexts, ClaimsPrincipal user, ControllableTimeProvider clock,
        IEnumerable<string> ids, string? site, string? stage, int page) =>
        AuditTrail.WriteAsync(contexts, user, clock, "list", AuditEntityType, null, new JsonObject
        {
            ["site"] = site, ["stage"] = stage, ["page"] = page, ["ids"] = new JsonArray([.. ids.Select(i => (JsonNode)i)]),
        });

    private static int ParseInt(string? text, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (text is null) return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        errors[name] = [$"must be a whole number from {min} to {max}."];
        return fallback;
    }

    private static DateOnly ParseDate(string? text, string name, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        // 1900–2999: the default period is 'to' − 90 days, which would overflow at 0001-01-01
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1900 and <= 2999) return date;
        errors[name] = [$"'{text}' is not a date (YYYY-MM-DD) between 1900 and 2999."];
        return fallback;
    }
}
