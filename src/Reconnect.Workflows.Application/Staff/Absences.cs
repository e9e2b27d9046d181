using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Audit;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Tasks;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Staff;

/// <summary>An absence as <c>/api/users/{id}/absences</c> answers it: UK dates, both ends included; no cover: the site's queue.</summary>
public sealed record AbsenceDto(
    string Id,
    string UserId,
    DateOnly From,
    DateOnly To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? CoverUserId);

/// <summary>A navigator who may cover an absence, as the absences page offers them.</summary>
public sealed record CoverCandidate(string UserId, string Name);

/// <summary><c>POST /api/users/{id}/absences</c> body: UK dates (<c>2027-03-01</c>), both included; the cover navigator's id or none.</summary>
public sealed record CreateAbsenceRequest(string? From, string? To, string? CoverUserId);

public abstract record AbsenceResult
{
    public sealed record Done(AbsenceDto Absence) : AbsenceResult;
    public sealed record Listed(IReadOnlyList<AbsenceDto> Absences) : AbsenceResult;
    public sealed record Deleted : AbsenceResult;
    public sealed record NotFound(string Message) : AbsenceResult;
    public sealed record Forbidden(string Message) : AbsenceResult;
    public sealed record Conflict(string Message) : AbsenceResult;
    /// <summary>Bad input; <see cref="Unprocessable"/>: well formed, but the person named cannot cover.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors, bool Unprocessable = false) : AbsenceResult;
}

/// <summary>What one pass of <see cref="Absences.RunDueAsync"/> did.</summary>
public sealed record CoverRun(int Started, int Ended, int TasksMoved);

/// <summary>
/// Absence and cover (issue #12, docs/tasks.md "Absence and cover"). A navigator records their own absences, a manager
/// anyone's (audited <c>absence-create</c>, <c>absence-delete</c> on the <c>User</c>). While absent (UK dates, both ends
/// included) the navigator gets no new referrals (<see cref="StaffAvailability"/>) and new tasks of their referrals go to
/// the cover navigator, or to the site's queue (<see cref="StaffAvailability.RouteAsync"/>). At the start their open tasks
/// go the same way; at the end the open, unclaimed tasks of their referrals that the cover or the queue still hold come
/// back to them. Start and end each happen once, across restarts and nodes: a guarded write of the absence's
/// <c>CoverStartedAt</c> / <c>CoverEndedAt</c> stamp, in the transaction that moves the tasks, decides who does it. The
/// timer dispatcher calls <see cref="RunDueAsync"/> on every run; a create or delete of a current absence acts at once.
/// </summary>
public sealed class Absences(
    IDbContextFactory<ReconnectDbContext> contexts,
    ControllableTimeProvider clock,
    TaskNotifications notifications,
    ILogger<Absences> logger,
    Notifications.NotificationNews? news = null)
{
    /// <summary>An absence is at most this long (a longer one is a deactivation, or several absences).</summary>
    public const int MaxDays = 366;
    /// <summary>How far back an absence may start when it is recorded (sickness recorded late).</summary>
    public const int MaxDaysBack = 31;
    private const int MaxIdLength = 450;

    public DateOnly Today => LondonTime.Today(clock.GetUtcNow());

    // ------------------------------------------------------------------ the use cases

    /// <summary>The person's absences, earliest first (<c>GET /api/users/{id}/absences</c>).</summary>
    public async Task<AbsenceResult> ListAsync(ClaimsPrincipal user, string userId, CancellationToken cancellationToken = default)
    {
        if (Refusal(user, userId) is { } refused) return refused;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken)) return NoAccount(userId);
        var rows = await db.StaffAbsences.AsNoTracking().Where(a => a.UserId == userId)
            .OrderBy(a => a.From).ThenBy(a => a.Id).Take(500).ToListAsync(cancellationToken);
        return new AbsenceResult.Listed([.. rows.Select(Dto)]);
    }

    /// <summary>
    /// Records an absence (<c>POST /api/users/{id}/absences</c>): the person is an active navigator; no overlap with
    /// another of theirs; the cover (if any) an active navigator of the same site, not the person. One that has begun
    /// already (today or up to <see cref="MaxDaysBack"/> days back) starts its cover at once.
    /// </summary>
    public async Task<AbsenceResult> CreateAsync(ClaimsPrincipal user, string userId, CreateAbsenceRequest request, CancellationToken cancellationToken = default)
    {
        if (Refusal(user, userId) is { } refused) return refused;
        var today = Today;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = Date(request.From, "from", errors);
        var to = Date(request.To, "to", errors);
        if (from is { } f && to is { } t)
        {
            if (t < f) errors["to"] = ["is before 'from'"];
            else if (t.DayNumber - f.DayNumber + 1 > MaxDays) errors["to"] = [$"makes the absence longer than {MaxDays} days"];
            else if (t < today) errors["to"] = [$"is in the past (today is {LondonTime.Format(today)})"];
            if (f < today.AddDays(-MaxDaysBack)) errors["from"] = [$"is more than {MaxDaysBack} days ago"];
        }
        var cover = request.CoverUserId is { Length: 0 } ? null : request.CoverUserId;
        if (cover is { } c && (c.Length > MaxIdLength || string.IsNullOrWhiteSpace(c))) errors["coverUserId"] = ["is not an account id"];
        if (errors.Count > 0) return new AbsenceResult.Invalid(errors);

        var now = clock.GetUtcNow();
        var by = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var person = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Id, u.Site, u.DeactivatedAt }).FirstOrDefaultAsync(cancellationToken);
        if (person is null) return NoAccount(userId);
        if (person.DeactivatedAt is not null || !await IsNavigatorAsync(db, userId, person.Site, cancellationToken))
            return new AbsenceResult.Conflict("Absences are recorded for active navigators.");
        if (cover is not null && (cover == userId || !await IsNavigatorAsync(db, cover, person.Site, cancellationToken, activeOnly: true)))
            return new AbsenceResult.Invalid(new Dictionary<string, string[]>
            {
                ["coverUserId"] = [cover == userId ? "is not someone else: nobody covers their own absence" : $"is not an active navigator of the same site ({person.Site})"],
            }, Unprocessable: true);

        var record = new StaffAbsenceRecord
        {
            Id = Guid.CreateVersion7().ToString("N"), UserId = userId, From = from!.Value, To = to!.Value, CoverUserId = cover, CreatedBy = by, CreatedAt = now,
        };
        var moved = new List<TaskCommitNotice>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var (first, last) = (record.From, record.To);
            if (await db.StaffAbsences.AnyAsync(a => a.UserId == userId && a.From <= last && a.To >= first, cancellationToken))
                return new AbsenceResult.Conflict("The person has another absence on some of these days: change or remove that one first.");
            db.StaffAbsences.Add(record);
            await db.SaveChangesAsync(cancellationToken);
            if (record.From <= today) moved.AddRange(await StartAsync(db, record, now, by, cancellationToken) ?? []);
            await transaction.CommitAsync(cancellationToken);
        }
        notifications.TasksCommitted(moved);
        if (record.From <= today) Tell(record.CoverUserId);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.AbsenceCreate, AuditTrail.User, userId, new JsonObject
        {
            ["absenceId"] = record.Id, ["from"] = LondonTime.Format(record.From), ["to"] = LondonTime.Format(record.To),
            ["coverUserId"] = cover, ["tasksMoved"] = moved.Count,
        });
        return new AbsenceResult.Done(Dto(record));
    }

    /// <summary>
    /// Removes an absence (<c>DELETE /api/users/{id}/absences/{absenceId}</c>) that has not ended; one under way ends at
    /// once (the person's tasks come back as at its end). An absence that is over stays, for the record (409).
    /// </summary>
    public async Task<AbsenceResult> DeleteAsync(ClaimsPrincipal user, string userId, string absenceId, CancellationToken cancellationToken = default)
    {
        if (Refusal(user, userId) is { } refused) return refused;
        var now = clock.GetUtcNow();
        var today = LondonTime.Today(now);
        var by = user.FindFirstValue(ClaimTypes.NameIdentifier);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var moved = new List<TaskCommitNotice>();
        StaffAbsenceRecord? record;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            record = await db.StaffAbsences.FirstOrDefaultAsync(a => a.Id == absenceId && a.UserId == userId, cancellationToken);
            if (record is null) return new AbsenceResult.NotFound($"No absence '{Short(absenceId)}' of this account.");
            if (record.To < today || record.CoverEndedAt is not null)
                return new AbsenceResult.Conflict("The absence is over: it stays on the record.");
            var begun = record.CoverStartedAt is not null;
            db.StaffAbsences.Remove(record);
            await db.SaveChangesAsync(cancellationToken);
            if (begun) moved.AddRange(await ReturnWorkAsync(db, record, now, by, "The absence was removed", cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        notifications.TasksCommitted(moved);
        await AuditTrail.WriteAsync(contexts, user, clock, AuditActions.AbsenceDelete, AuditTrail.User, userId, new JsonObject
        {
            ["absenceId"] = record.Id, ["from"] = LondonTime.Format(record.From), ["to"] = LondonTime.Format(record.To), ["tasksReturned"] = moved.Count,
        });
        return new AbsenceResult.Deleted();
    }

    /// <summary>
    /// Who may cover for <paramref name="userId"/> (the absences page's choice): the active navigators of their site but
    /// them, by name. Asked by the person themself or a manager, as the absences are.
    /// </summary>
    public async Task<IReadOnlyList<CoverCandidate>> CoverCandidatesAsync(ClaimsPrincipal user, string userId, CancellationToken cancellationToken = default)
    {
        if (Refusal(user, userId) is not null) return [];
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var site = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Site).FirstOrDefaultAsync(cancellationToken);
        if (site is null) return [];
        var people = await (
            from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where u.Site == site && u.Id != userId && u.DeactivatedAt == null && r.Name == Roles.Navigator
            select new { u.Id, Name = u.DisplayName ?? u.Email ?? u.UserName }).Distinct().ToListAsync(cancellationToken);
        return [.. people.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Select(p => new CoverCandidate(p.Id, p.Name ?? p.Id))];
    }

    // ------------------------------------------------------------------ start and end, once

    /// <summary>
    /// Starts the cover of every absence that has begun and ends that of every absence that is over (the timer
    /// dispatcher's every run; any node, any number of times: each start and end happens once).
    /// </summary>
    public async Task<CoverRun> RunDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var today = LondonTime.Today(now);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var due = await db.StaffAbsences.AsNoTracking()
            .Where(a => (a.CoverStartedAt == null && a.From <= today) || (a.CoverEndedAt == null && a.To < today))
            .OrderBy(a => a.From).Take(500).ToListAsync(cancellationToken);
        int started = 0, ended = 0, tasks = 0;
        foreach (var absence in due)
        {
            if (absence.CoverStartedAt is null)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // Over before anyone started it (the service was down throughout): stamped, nothing moved; the end below returns the work.
                List<TaskCommitNotice>? moved;
                if (absence.To >= today) moved = await StartAsync(db, absence, now, null, cancellationToken);
                else moved = await StampAsync(db, absence.Id, start: true, now, cancellationToken) ? [] : null;
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (moved is not null)
                {
                    started++;
                    tasks += moved.Count;
                    notifications.TasksCommitted(moved);
                    Tell(absence.CoverUserId);
                    logger.LogInformation("Cover started for absence {AbsenceId}: {Tasks} task(s) moved", absence.Id, moved.Count);
                }
            }
            if (absence.To < today)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var returned = await StampAsync(db, absence.Id, start: false, now, cancellationToken)
                    ? await ReturnWorkAsync(db, absence, now, null, "The absence ended", cancellationToken) : null;
                await transaction.CommitAsync(cancellationToken);
                db.ChangeTracker.Clear();
                if (returned is not null)
                {
                    ended++;
                    tasks += returned.Count;
                    notifications.TasksCommitted(returned);
                    logger.LogInformation("Cover ended for absence {AbsenceId}: {Tasks} task(s) returned", absence.Id, returned.Count);
                }
            }
        }
        return new CoverRun(started, ended, tasks);
    }

    /// <summary>
    /// The absence begins, inside the caller's transaction: claims the start stamp (null when another run had it), then
    /// the person's open and claimed tasks go to the cover (when the cover is available today) or their queue, and each
    /// of their open referrals gets a history line.
    /// </summary>
    private async Task<List<TaskCommitNotice>?> StartAsync(ReconnectDbContext db, StaffAbsenceRecord absence, DateTimeOffset now, string? by, CancellationToken cancellationToken)
    {
        if (!await StampAsync(db, absence.Id, start: true, now, cancellationToken)) return null;
        var cover = absence.CoverUserId is { } c && (await StaffAvailability.AvailableAsync(db, [c], now, cancellationToken)).Count == 1 ? c : null;
        var userId = absence.UserId;
        var tasks = await db.Tasks.Where(t => t.Assignee == userId && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed)).ToListAsync(cancellationToken);
        foreach (var task in tasks)
        {
            task.Assignee = task.AssigneeRole == Roles.Navigator ? cover : null;
            task.Status = TaskStatuses.Open;
            task.ClaimedBy = null;
            task.ClaimedAt = null;
        }
        var referrals = await db.Referrals.Where(r => r.NavigatorId == userId && r.ClosedAt == null).Select(r => r.Id).ToListAsync(cancellationToken);
        var until = LondonTime.Format(absence.To);
        if (cover is not null)
        {
            // The cover hears of it with the move (same transaction); the text names the colleague, for the cover only.
            var name = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName ?? u.UserName).FirstOrDefaultAsync(cancellationToken) ?? "A colleague";
            Notifications.NotificationRows.Add(db, cover, Notifications.NotificationKinds.CoverStarted,
                $"You are covering for {name} until {until}: {tasks.Count(t => t.Assignee == cover)} open task(s) moved to you.", "/inbox", now);
        }
        foreach (var referral in referrals)
            ReferralEffectWriter.History(db, referral, now, "cover-started",
                $"The navigator is away until {until}: their tasks go to " + (cover is null ? "the site's queue" : "the cover navigator"),
                new JsonObject { ["absenceId"] = absence.Id, ["navigatorId"] = userId, ["coverUserId"] = cover }, by);
        await db.SaveChangesAsync(cancellationToken);
        return [.. tasks.Select(TaskCommitNotice.From)];
    }

    /// <summary>
    /// The absence is over (or removed), inside the caller's transaction: the open, unclaimed navigator tasks of the
    /// person's open referrals that the cover or the site's queue holds come back to them, when they are active and not
    /// away again today. Claimed tasks stay with whoever is working on them.
    /// </summary>
    private static async Task<List<TaskCommitNotice>> ReturnWorkAsync(ReconnectDbContext db, StaffAbsenceRecord absence, DateTimeOffset now, string? by, string why, CancellationToken cancellationToken)
    {
        var userId = absence.UserId;
        if ((await StaffAvailability.AvailableAsync(db, [userId], now, cancellationToken)).Count == 0) return [];
        var cover = absence.CoverUserId;
        var referrals = await db.Referrals.Where(r => r.NavigatorId == userId && r.ClosedAt == null).Select(r => r.Id).ToListAsync(cancellationToken);
        if (referrals.Count == 0) return [];
        var tasks = await db.Tasks
            .Where(t => t.SubjectId != null && referrals.Contains(t.SubjectId) && t.AssigneeRole == Roles.Navigator && t.Status == TaskStatuses.Open
                && (t.Assignee == null || (cover != null && t.Assignee == cover)))
            .ToListAsync(cancellationToken);
        foreach (var task in tasks) task.Assignee = userId;
        foreach (var referral in referrals)
            ReferralEffectWriter.History(db, referral, now, "cover-ended", $"{why}: the navigator's tasks are theirs again",
                new JsonObject { ["absenceId"] = absence.Id, ["navigatorId"] = userId, ["tasksReturned"] = tasks.Count(t => t.SubjectId == referral) }, by);
        await db.SaveChangesAsync(cancellationToken);
        return [.. tasks.Select(TaskCommitNotice.From)];
    }

    /// <summary>The once-only guard: sets the stamp where it is still empty; true for the one writer that did.</summary>
    private static async Task<bool> StampAsync(ReconnectDbContext db, string absenceId, bool start, DateTimeOffset now, CancellationToken cancellationToken) =>
        start
            ? await db.StaffAbsences.Where(a => a.Id == absenceId && a.CoverStartedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.CoverStartedAt, now), cancellationToken) == 1
            : await db.StaffAbsences.Where(a => a.Id == absenceId && a.CoverStartedAt != null && a.CoverEndedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.CoverEndedAt, now), cancellationToken) == 1;

    // ------------------------------------------------------------------ helpers

    /// <summary>After the commit: the cover's open bell re-reads (a cover who was not available got no row: a harmless re-read).</summary>
    private void Tell(string? cover)
    {
        if (cover is not null) news?.Published([cover]);
    }

    /// <summary>A navigator for their own absences, a manager for anyone's.</summary>
    private static AbsenceResult? Refusal(ClaimsPrincipal user, string userId)
    {
        if (user.IsInRole(Roles.Manager)) return null;
        if (user.IsInRole(Roles.Navigator) && user.FindFirstValue(ClaimTypes.NameIdentifier) == userId) return null;
        return new AbsenceResult.Forbidden(user.IsInRole(Roles.Navigator)
            ? "A navigator records their own absences; a manager anyone's."
            : "Only navigators (their own) and managers record absences.");
    }

    private static AbsenceResult.NotFound NoAccount(string id) => new($"No account '{Short(id)}'.");

    private static async Task<bool> IsNavigatorAsync(ReconnectDbContext db, string userId, string? site, CancellationToken cancellationToken, bool activeOnly = false) =>
        site is not null && await (
            from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where u.Id == userId && u.Site == site && r.Name == Roles.Navigator && (!activeOnly || u.DeactivatedAt == null)
            select u.Id).AnyAsync(cancellationToken);

    private static DateOnly? Date(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) { errors[field] = ["is required: a UK date such as 2027-03-01"]; return null; }
        if (text.Length > 40 || !LondonTime.TryParseDate(text, out var date) || date.Year < 2000 || date.Year > 2999)
        {
            errors[field] = ["is not a date (a UK date such as 2027-03-01)"];
            return null;
        }
        return date;
    }

    private static AbsenceDto Dto(StaffAbsenceRecord a) => new(a.Id, a.UserId, a.From, a.To, a.CoverUserId);

    private static string Short(string id) => id.Length <= 80 ? id : id[..80];
}
