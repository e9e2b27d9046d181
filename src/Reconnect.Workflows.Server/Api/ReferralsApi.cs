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
        HttpRequest request, ClaimsPrincipal user, ReferralService service, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReferralRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        switch (await service.CreateAsync(user, body!, cancellationToken))
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
                details.Extensions["openReference"] = duplicate.OpenReference;
                return TypedResults.Problem(details);
            }
            case CreateReferralResult.PathwayUnavailable unavailable:
                return TypedResults.Problem(unavailable.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Referrals are not being accepted");
            case CreateReferralResult.Created created:
                var window = created.Window is { } w ? new WindowDto(w.Opens, w.Closes) : null;
                return TypedResults.Created($"{Base}/{created.ReferralId}", new ReferralCreatedDto(created.ReferralId, created.Reference, created.WorkflowInstanceId, created.Stage, window));
            default:
                throw new InvalidOperationException("Unknown create result.");
        }
    }

    // ------------------------------------------------------------------------------------------------ reads

    private static async Task<Results<Ok<ReferralPage<ReferralSummaryDto>>, Ok<ReferralPage<ReferralStatusDto>>, ProblemHttpResult>> ListAsync(
        string? site, string? stage, string? page, string? pageSize, ClaimsPrincipal user, ReferralService service, ReferralReads reads,
        CancellationToken cancellationToken)
    {
        var query = ReferralListQuery.TryParse(site, stage, page, pageSize, service.Sites, out var errors);
        if (query is null) return Problems.BadRequest("Bad query string.", errors);
        return await reads.ListAsync(user, query, cancellationToken) switch
        {
            ReferralListResult.Staff staff => TypedResults.Ok(staff.Page),
            ReferralListResult.Own own => TypedResults.Ok(own.Page),
            ReferralListResult.Forbidden forbidden => TypedResults.Problem(forbidden.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
            _ => throw new InvalidOperationException("Unknown list result."),
        };
    }

    private static async Task<Results<Ok<ReferralDetailDto>, Ok<ReferralStatusDto>, ProblemHttpResult>> GetAsync(
        string id, ClaimsPrincipal user, ReferralReads reads, CancellationToken cancellationToken) =>
        await reads.GetAsync(user, id, cancellationToken) switch
        {
            ReferralReadResult.Detail detail => TypedResults.Ok(detail.Referral),
            ReferralReadResult.Status status => TypedResults.Ok(status.Referral),
            ReferralReadResult.NotFound notFound => Problems.NotFound(notFound.Message),
            _ => throw new InvalidOperationException("Unknown read result."),
        };

    // ------------------------------------------------------------------------------------------------ events

    private static async Task<Results<Ok<ReferralStageDto>, ProblemHttpResult>> SendEventAsync(
        string id, string eventName, HttpRequest request, ClaimsPrincipal user, ReferralService service, ReferralReads reads, CancellationToken cancellationToken)
    {
        // The referral first: for a referral the caller may not see, the answer is "not found" whatever the body.
        if (!await reads.IsVisibleAsync(user, id, cancellationToken)) return Problems.NotFound($"No referral '{id}'.");
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
        return await service.SendEventAsync(user, id, eventName, payload, cancellationToken) switch
        {
            ReferralEventResult.Applied applied => TypedResults.Ok(new ReferralStageDto(applied.Stage)),
            ReferralEventResult.UnknownFields unknown => Problems.BadRequest("The body has fields this event does not take.", new Dictionary<string, string[]>(unknown.Errors, StringComparer.Ordinal)),
            ReferralEventResult.Invalid invalid => Problems.Unprocessable("The event's fields have problems.", new Dictionary<string, string[]>(invalid.Errors, StringComparer.Ordinal)),
            ReferralEventResult.NotFound notFound => Problems.NotFound(notFound.Message),
            ReferralEventResult.Conflict conflict => Problems.Conflict(conflict.Message),
            _ => throw new InvalidOperationException("Unknown event result."),
        };
    }

    // ------------------------------------------------------------------------------------------------ measures

    private static async Task<Results<Ok<MeasuresDto>, ProblemHttpResult>> MeasuresAsync(
        string? from, string? to, ReferralService service, ReferralReads reads, CancellationToken cancellationToken)
    {
        var today = service.Today;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var toDate = ParseDate(to, "to", today, errors);
        var fromDate = ParseDate(from, "from", toDate.AddDays(-90), errors);
        if (errors.Count == 0 && fromDate > toDate) errors["from"] = ["from must be on or before to."];
        if (errors.Count > 0) return Problems.BadRequest("Bad query string.", errors);
        return TypedResults.Ok(await reads.MeasuresAsync(fromDate, toDate, cancellationToken));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static DateOnly ParseDate(string? text, string name, DateOnly fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        // 1900–2999: the default period is 'to' − 90 days, which would overflow at 0001-01-01
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 1900 and <= 2999) return date;
        errors[name] = [$"'{text}' is not a date (YYYY-MM-DD) between 1900 and 2999."];
        return fallback;
    }
}
