using System.Globalization;
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
    public sealed record Created(string ReferralId, string WorkflowInstanceId, ReferralWindow? Window) : CreateReferralResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : CreateReferralResult;
    public sealed record Duplicate(string OpenReferralId) : CreateReferralResult;
    public sealed record PathwayUnavailable(string Message) : CreateReferralResult;
}

public abstract record ReferralEventResult
{
    public sealed record Applied(string Stage) : ReferralEventResult;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ReferralEventResult;
    public sealed record NotFound(string Message) : ReferralEventResult;
    public sealed record Conflict(string Message) : ReferralEventResult;
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
    IOptions<ReconnectOptions> options)
{
    public const string PathwayDefinitionId = "reconnect-referral-pathway";

    public IReadOnlyList<string> Sites => options.Value.Sites.Select(s => s.Code).ToList();

    public DateOnly Today => LondonTime.Today(clock.GetUtcNow());

    public async Task<CreateReferralResult> CreateAsync(ReferralRequest request, string? userId, CancellationToken cancellationToken = default)
    {
        var check = EligibilityChecker.Check(request, Today, Sites);
        if (!check.IsEligible) return new CreateReferralResult.Invalid(check.Errors);
        var referral = check.Referral!;
        if (await OpenReferralIdAsync(referral.PrisonNumber, cancellationToken) is { } open) return new CreateReferralResult.Duplicate(open);

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
        var result = await runtime.StartAsync(pathway, input, id, null, [new CreateReferralEffect(id, referral, userId, clock.GetUtcNow())], cancellationToken);
        if (result.Status == ResumeStatus.Conflict)
        {
            // Lost a race with another referral for the same prison number: the unique index refused the second row.
            if (await OpenReferralIdAsync(referral.PrisonNumber, cancellationToken) is { } winner) return new CreateReferralResult.Duplicate(winner);
            throw new InvalidOperationException("The referral could not be saved: " + result.Message);
        }
        return new CreateReferralResult.Created(id, result.State!.Id, referral.Window);
    }

    public async Task<string?> OpenReferralIdAsync(string prisonNumber, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Referrals.AsNoTracking().Where(r => r.OpenPrisonNumber == prisonNumber).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Records a referral event and resumes the pathway's listener for it, in one transaction.</summary>
    public async Task<ReferralEventResult> SendEventAsync(string referralId, string eventName, JsonObject? payload, string? userId, CancellationToken cancellationToken = default)
    {
        if (!ReferralEvents.All.Contains(eventName))
            return new ReferralEventResult.NotFound($"'{eventName}' is not a referral event ({string.Join(", ", ReferralEvents.All)}).");
        payload ??= [];
        var errors = ValidatePayload(eventName, payload);
        if (errors.Count > 0) return new ReferralEventResult.Invalid(errors);

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var referral = await db.Referrals.AsNoTracking().FirstOrDefaultAsync(r => r.Id == referralId, cancellationToken);
            if (referral is null) return new ReferralEventResult.NotFound($"No referral '{referralId}'.");
            if (referral.ClosedAt is not null) return new ReferralEventResult.Conflict($"The referral is closed ({referral.ClosureReason}); it takes no events.");

            var matches = await instances.FindBookmarksAsync(BookmarkKey.ForEvent(eventName), referralId, cancellationToken);
            var listener = matches.FirstOrDefault(m => m.InstanceId == referral.WorkflowInstanceId);
            if (listener is null)
                return new ReferralEventResult.Conflict($"The pathway is not waiting for '{eventName}' now (it may have been recorded already).");

            var effect = new ReferralEventEffect(referralId, eventName, (JsonObject)payload.DeepClone(), userId, clock.GetUtcNow());
            var result = await runtime.ApplyAsync(referral.WorkflowInstanceId, new Stimulus.Resume(listener.BookmarkId, payload), precheck: null, [effect], cancellationToken);
            if (!result.Succeeded) return new ReferralEventResult.Conflict(result.Message ?? "The event could not be applied; try again.");
        }
        await using var after = await contexts.CreateDbContextAsync(cancellationToken);
        var stage = await after.Referrals.AsNoTracking().Where(r => r.Id == referralId).Select(r => r.Stage).FirstAsync(cancellationToken);
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
