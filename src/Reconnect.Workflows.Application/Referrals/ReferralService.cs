using System.Globalization;
using System.Security.Claims;
using Reconnect.Workflows.Application.Audit;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Referrals.Activities;
using Reconnect.Workflows.Referrals.Eligibility;
using Reconnect.Workflows.Referrals.Model;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Application.Referrals;

public abstract record CreateReferralResult
{
    /// <param name="Reference">The human reference (<c>LEI-2026-0042</c>) numbered in the referral's transaction.</param>
    public sealed record Created(string ReferralId, string WorkflowInstanceId, ReferralWindow? Window, string Stage, string Reference) : CreateReferralResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : CreateReferralResult;
    public sealed record Duplicate(string OpenReferralId, string OpenReference) : CreateReferralResult;
    public sealed record PathwayUnavailable(string Message) : CreateReferralResult;
}

public abstract record ReferralEventResult
{
    public sealed record Applied(string Stage) : ReferralEventResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ReferralEventResult;
    public sealed record NotFound(string Message) : ReferralEventResult;
    public sealed record Conflict(string Message) : ReferralEventResult;
    /// <summary>The body names fields the event does not take (the API answers 400).</summary>
    public sealed record UnknownFields(IReadOnlyDictionary<string, string[]> Errors) : ReferralEventResult;
}

/// <summary>
/// Referrals: every rule checked at once; a referral that passes is written in the same transaction as the first step
/// of the published pathway (started with the referral as input and its id as correlation id). The five referral
/// events are recorded in the same transaction as the step they cause.
/// </summary>
public sealed class ReferralService(
    WorkflowRuntime runtime,
    IWorkflowDefinitionStore definitions,
    IWorkflowInstanceStore instances,
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    IOptions<ReconnectOptions> options,
    ReferralReads reads)
{
    public const string PathwayDefinitionId = "reconnect-referral-pathway";

    public IReadOnlyList<string> Sites => options.Value.Sites.Select(s => s.Code).ToList();

    /// <summary>Each site's name by its code (HMP Leeds for LEI), for pages that show sites to people.</summary>
    public IReadOnlyDictionary<string, string> SiteNames =>
        options.Value.Sites.ToDictionary(s => s.Code, s => string.IsNullOrWhiteSpace(s.Name) ? s.Code : s.Name, StringComparer.OrdinalIgnoreCase);

    public DateOnly Today => LondonTime.Today(clock.GetUtcNow());

    /// <summary>
    /// A referral made by a signed-in user (the roles that may are the endpoint's and page's): audited as <c>create</c>,
    /// the audit row written in the same transaction as the referral and the pathway's first step.
    /// </summary>
    public Task<CreateReferralResult> CreateAsync(ClaimsPrincipal user, ReferralRequest request, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(request, user.FindFirstValue(ClaimTypes.NameIdentifier),
            AuditTrail.Effect(user, clock, AuditActions.Create, ReferralReads.AuditEntityType, null, instanceIdField: "workflowInstanceId"), cancellationToken);

    /// <summary>
    /// An event sent by a signed-in user: only to a referral they may see ("not found" otherwise), only the fields the
    /// event takes, audited as <c>event</c> once applied.
    /// </summary>
    public async Task<ReferralEventResult> SendEventAsync(ClaimsPrincipal user, string referralId, string eventName, JsonObject? payload, CancellationToken cancellationToken = default)
    {
        if (!await reads.IsVisibleAsync(user, referralId, cancellationToken)) return new ReferralEventResult.NotFound($"No referral '{(referralId.Length <= 80 ? referralId : referralId[..80])}'.");
        if (!ReferralEvents.All.Contains(eventName))
            return new ReferralEventResult.NotFound($"'{eventName}' is not a referral event ({string.Join(", ", ReferralEvents.All)}).");
        payload ??= [];
        var allowed = EventFields(eventName);
        var unknown = payload.Select(p => p.Key).Where(k => !allowed.Contains(k)).ToList();
        if (unknown.Count > 0)
            return new ReferralEventResult.UnknownFields(unknown.ToDictionary(k => k,
                _ => new[] { allowed.Length == 0 ? $"'{eventName}' takes no fields." : $"'{eventName}' takes only {string.Join(", ", allowed)}." }, StringComparer.Ordinal));
        // The audit row commits with the step the event causes.
        return await SendEventCoreAsync(referralId, eventName, payload, user.FindFirstValue(ClaimTypes.NameIdentifier),
            AuditTrail.Effect(user, clock, AuditActions.Event, ReferralReads.AuditEntityType, referralId, new JsonObject { ["event"] = eventName }), cancellationToken);
    }

    private static string[] EventFields(string eventName) => eventName switch
    {
        ReferralEvents.ReleaseDateChanged => ["releaseDate"],
        ReferralEvents.Released => ["date"],
        ReferralEvents.Transferred => ["site"],
        _ => [],
    };

    /// <summary>The use case without a signed-in user (the demo seeder, tests): no access check, no audit row.</summary>
    public Task<CreateReferralResult> CreateAsync(ReferralRequest request, string? userId, CancellationToken cancellationToken = default) =>
        CreateCoreAsync(request, userId, audit: null, cancellationToken);

    private async Task<CreateReferralResult> CreateCoreAsync(ReferralRequest request, string? userId, AuditEffect? audit, CancellationToken cancellationToken)
    {
        var check = EligibilityChecker.Check(request, Today, Sites);
        if (!check.IsEligible) return new CreateReferralResult.Invalid(check.Errors);
        var referral = check.Referral!;
        if (await OpenReferralAsync(referral.PrisonNumber, cancellationToken) is { } open) return open;

        var pathway = await definitions.FindPublishedAsync(PathwayDefinitionId, cancellationToken);
        if (pathway is null) return new CreateReferralResult.PathwayUnavailable($"The pathway '{PathwayDefinitionId}' is not published.");

        var id = Guid.CreateVersion7().ToString("N");
        var input = new JsonObject
        {
            ["referralId"] = id,
            ["site"] = referral.Site,
            ["referralDate"] = Format(referral.ReferralDate),
            ["releaseDate"] = referral.ReleaseDate is { } release ? Format(release) : null,
            ["releaseType"] = referral.ReleaseType.ToString(),
        };
        var create = new CreateReferralEffect(id, referral, userId, clock.GetUtcNow());
        List<WorkflowEffect> effects = [create];
        if (audit is not null) effects.Add(audit with { EntityId = id });
        var result = await runtime.StartAsync(pathway, input, id, null, effects, cancellationToken);
        if (result.Status == ResumeStatus.Conflict)
        {
            // Lost a race with another referral for the same prison number: the unique index refused the second row.
            if (await OpenReferralAsync(referral.PrisonNumber, cancellationToken) is { } winner) return winner;
            throw new InvalidOperationException("The referral could not be saved: " + result.Message);
        }
        // The stage the committed step left the referral in, from its effects, and the reference its writer numbered
        // inside the transaction (no read back).
        var stage = ReferralEffectWriter.StageAfter(id, nameof(ReferralStage.Received), result.Step!.Effects);
        var reference = create.Reference ?? throw new InvalidOperationException("The committed step did not number the referral.");
        return new CreateReferralResult.Created(id, result.State!.Id, referral.Window, stage, reference);
    }

    private async Task<CreateReferralResult.Duplicate?> OpenReferralAsync(string prisonNumber, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = await db.Referrals.AsNoTracking().Where(r => r.OpenPrisonNumber == prisonNumber)
            .Select(r => new { r.Id, r.Reference }).FirstOrDefaultAsync(cancellationToken);
        return open is null ? null : new CreateReferralResult.Duplicate(open.Id, open.Reference);
    }

    public async Task<string?> OpenReferralIdAsync(string prisonNumber, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Referrals.AsNoTracking().Where(r => r.OpenPrisonNumber == prisonNumber).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Records a referral event and resumes the pathway's listener for it, in one transaction (no access check, no audit row).</summary>
    public Task<ReferralEventResult> SendEventAsync(string referralId, string eventName, JsonObject? payload, string? userId, CancellationToken cancellationToken = default) =>
        SendEventCoreAsync(referralId, eventName, payload, userId, audit: null, cancellationToken);

    private async Task<ReferralEventResult> SendEventCoreAsync(string referralId, string eventName, JsonObject? payload, string? userId, AuditEffect? audit,
        CancellationToken cancellationToken)
    {
        if (!ReferralEvents.All.Contains(eventName))
            return new ReferralEventResult.NotFound($"'{eventName}' is not a referral event ({string.Join(", ", ReferralEvents.All)}).");
        payload ??= [];
        var errors = ValidatePayload(eventName, payload);
        if (errors.Count > 0) return new ReferralEventResult.Invalid(errors);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var referral = await db.Referrals.AsNoTracking().FirstOrDefaultAsync(r => r.Id == referralId, cancellationToken);
        if (referral is null) return new ReferralEventResult.NotFound($"No referral '{referralId}'.");
        if (referral.ClosedAt is not null) return new ReferralEventResult.Conflict($"The referral is closed ({referral.ClosureReason}); it takes no events.");

        var matches = await instances.FindBookmarksAsync(BookmarkKey.ForEvent(eventName), referralId, cancellationToken);
        var listener = matches.FirstOrDefault(m => m.InstanceId == referral.WorkflowInstanceId);
        if (listener is null)
            return new ReferralEventResult.Conflict($"The pathway is not waiting for '{eventName}' now (it may have been recorded already).");

        var effect = new ReferralEventEffect(referralId, eventName, (JsonObject)payload.DeepClone(), userId, clock.GetUtcNow());
        List<WorkflowEffect> effects = [effect];
        if (audit is not null) effects.Add(audit);
        var result = await runtime.ApplyAsync(referral.WorkflowInstanceId, new Stimulus.Resume(listener.BookmarkId, payload), precheck: null, effects, cancellationToken);
        if (!result.Succeeded) return new ReferralEventResult.Conflict(result.Message ?? "The event could not be applied; try again.");
        var stage = await db.Referrals.AsNoTracking().Where(r => r.Id == referralId).Select(r => r.Stage).FirstAsync(cancellationToken);
        return new ReferralEventResult.Applied(stage);
    }

    private Dictionary<string, string[]> ValidatePayload(string eventName, JsonObject payload)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        switch (eventName)
        {
            case ReferralEvents.ReleaseDateChanged:
                if (!TryDate(payload["releaseDate"], out var changed)) errors["releaseDate"] = ["releaseDate is required, as YYYY-MM-DD."];
                else if (!Reconnect.Workflows.Referrals.Eligibility.ReferralWindow.IsPlausible(changed)) errors["releaseDate"] = ["releaseDate must be between 1900 and 2999."];
                break;
            case ReferralEvents.Released:
                if (payload["date"] is not null)
                {
                    if (!TryDate(payload["date"], out var date)) errors["date"] = ["date must be YYYY-MM-DD."];
                    else if (date > Today) errors["date"] = ["A release cannot be confirmed for a date in the future."];
                    else if (!Reconnect.Workflows.Referrals.Eligibility.ReferralWindow.IsPlausible(date)) errors["date"] = ["date must be between 1900 and 2999."];
                }
                break;
            case ReferralEvents.Transferred:
                var site = Engine.Activities.ValueConverter.ToText(payload["site"])?.Trim();
                if (string.IsNullOrEmpty(site)) errors["site"] = ["site is required: a site code of the service, or any other prison's name (the referral then closes as out of area)."];
                else
                {
                    var known = Sites.FirstOrDefault(s => string.Equals(s, site, StringComparison.OrdinalIgnoreCase));
                    payload["site"] = known ?? site;
                    // A site outside the service closes the referral (OutOfArea); the pathway reads this flag.
                    payload["outOfArea"] = known is null;
                }
                break;
        }
        return errors;
    }

    private static bool TryDate(JsonNode? node, out DateOnly date)
    {
        date = default;
        return Engine.Activities.ValueConverter.ToText(node) is { } text
            && DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
