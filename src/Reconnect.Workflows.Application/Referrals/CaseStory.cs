using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Referrals;

/// <summary>
/// One thing to come on a case: an open task's due date, a waiting timer's date (what it will raise), or — before the
/// release is recorded — what the pathway will do from the planned release date (<see cref="Expected"/>).
/// </summary>
/// <param name="Date">The UK date it is due or happens.</param>
/// <param name="What">In words, e.g. "Confirm release-day arrangements".</param>
/// <param name="Kind"><c>task</c> (open now), <c>timer</c> (waiting in the pathway) or <c>expected</c> (after release, from the planned date).</param>
/// <param name="Overdue">An open task past its due date.</param>
public sealed record NextStepDto(DateOnly Date, string What, string Kind, bool Overdue = false)
{
    public const string TaskKind = "task";
    public const string TimerKind = "timer";
    public const string ExpectedKind = "expected";
}

/// <summary>One line of a case's story: what happened, in words, and who did it (a name, never an id).</summary>
public sealed record StoryLineDto(DateTimeOffset At, string Kind, string Text, string? By);

/// <summary>
/// A case's story and what comes next, read from the referral's history, its tasks, the instance's journal (timers
/// fired) and its bookmarks (timers waiting) — the case page and <c>GET /api/referrals/{id}</c> (docs/pathway.md, "Next steps").
/// </summary>
public static class CaseStory
{
    /// <summary>A timer bookmark's activity in the referral pathway → what happens when it fires, in words.</summary>
    public static readonly IReadOnlyDictionary<string, string> TimerWords = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["weekBefore"] = "Confirm release-day arrangements",
        ["releaseDay"] = "Release-day support",
        ["followUp2Timer"] = "Follow-up check (release + 2 days)",
        ["followUp7Timer"] = "Follow-up check (release + 7 days)",
        ["followUp21Timer"] = "Follow-up check (release + 21 days)",
        ["monthlyWait"] = "Monthly review",
        ["supportEnds"] = "Support ends: the case closes (six-month limit)",
    };

    private static readonly string[] FollowUpTimers = ["followUp2Timer", "followUp7Timer", "followUp21Timer"];
    private static readonly string[] FollowUpTasks = ["followUp2", "followUp7", "followUp21"];
    private static readonly (string Name, int Default)[] FollowUpVariables = [("FollowUp1Days", 2), ("FollowUp2Days", 7), ("FollowUp3Days", 21)];

    /// <summary>Timers that wait for a date nobody knows yet (remand) are parked at 2999-12-31: not a next step.</summary>
    private static readonly DateOnly Parked = new(2999, 1, 1);

    /// <summary>
    /// Open tasks by due date, then the timers waiting in the instance (by the date they fire) and, while the release is
    /// not recorded and its date is known, the post-release steps the pathway will take from that date (follow-ups at
    /// + FollowUp1/2/3Days, support ending after SupportMonths + ExtendedMonths), as the instance's variables say; after
    /// the release, the follow-up checks the chain has not reached yet (each waits for the one before), from the actual date.
    /// Oldest first; nothing for a closed referral.
    /// </summary>
    public static async Task<IReadOnlyList<NextStepDto>> NextStepsAsync(ReconnectDbContext db, ReferralRecord r, IReadOnlyList<TaskDto> openTasks, CancellationToken cancellationToken)
    {
        if (r.ClosedAt is not null || r.Stage == "Closed") return [];
        var steps = new List<NextStepDto>();
        foreach (var t in openTasks)
            if (t.DueDate is { } due) steps.Add(new NextStepDto(due, t.Title, NextStepDto.TaskKind, t.Overdue));

        var timers = await db.Bookmarks.AsNoTracking()
            .Where(b => b.InstanceId == r.WorkflowInstanceId && b.DueAt != null)
            .Select(b => new { b.ActivityId, b.DueAt })
            .ToListAsync(cancellationToken);
        foreach (var timer in timers)
        {
            var date = LondonTime.ToLondonDate(timer.DueAt!.Value);
            if (date >= Parked) continue;
            steps.Add(new NextStepDto(date, TimerWords.TryGetValue(timer.ActivityId, out var words) ? words : $"Timer {timer.ActivityId}", NextStepDto.TimerKind));
        }

        // The follow-ups run one after another (timer, task, next timer): what the instance does not wait on yet is
        // projected from the actual release (or, before it, the planned date) with the pathway's numbers.
        var anchor = r.ReleasedOn ?? r.ReleaseDate;
        if (anchor is { } from)
        {
            var openFollowUps = await db.Tasks.AsNoTracking()
                .Where(t => t.SubjectId == r.Id && (t.Status == TaskStatuses.Open || t.Status == TaskStatuses.Claimed) && FollowUpTasks.Contains(t.ActivityId))
                .Select(t => t.ActivityId).ToListAsync(cancellationToken);
            var reached = -1;
            for (var i = 0; i < FollowUpTimers.Length; i++)
                if (timers.Any(t => t.ActivityId == FollowUpTimers[i]) || openFollowUps.Contains(FollowUpTasks[i])) reached = i;
            var released = r.ReleasedOn is not null || r.Stage == "PostRelease";
            // After release with no follow-up waiting or open, the chain is done (the monthly reviews run).
            var first = reached >= 0 ? reached + 1 : released ? FollowUpTimers.Length : 0;
            if (first < FollowUpTimers.Length || !released)
            {
                var variables = await VariablesAsync(db, r.WorkflowInstanceId, cancellationToken);
                var suffix = released ? " (expected)" : $" (expected, if released on {Short(from)})";
                for (var i = first; i < FollowUpTimers.Length; i++)
                {
                    var days = Whole(variables, FollowUpVariables[i].Name, FollowUpVariables[i].Default);
                    steps.Add(new NextStepDto(from.AddDays(days), $"Follow-up check (release + {days} days){suffix}", NextStepDto.ExpectedKind));
                }
                if (!released && !timers.Any(t => t.ActivityId == "supportEnds"))
                {
                    var months = Whole(variables, "SupportMonths", 6) + Whole(variables, "ExtendedMonths", 0);
                    steps.Add(new NextStepDto(from.AddMonths(months), $"Support ends after {months} months{suffix}", NextStepDto.ExpectedKind));
                }
            }
        }
        return steps.OrderBy(s => s.Date).ThenBy(s => KindOrder(s.Kind)).ToList();
    }

    /// <summary>
    /// Every line of the case, newest first: the referral's history (events, stage changes, releases, cancellations,
    /// assignments and changes of navigator), each completed task (who, outcome, note) and each timer that fired.
    /// People are named by their display name.
    /// </summary>
    public static async Task<IReadOnlyList<StoryLineDto>> HistoryAsync(ReconnectDbContext db, ReferralRecord r, CancellationToken cancellationToken)
    {
        var history = await db.ReferralHistory.AsNoTracking()
            .Where(h => h.ReferralId == r.Id)
            .Select(h => new { h.Id, h.At, h.Kind, h.Summary, h.DetailJson, h.By })
            .ToListAsync(cancellationToken);
        var completed = await db.Tasks.AsNoTracking()
            .Where(t => t.SubjectId == r.Id && t.Status == TaskStatuses.Completed)
            .Select(t => new { t.Id, t.Title, t.Outcome, t.Notes, t.CompletedBy, t.CompletedAt, t.CreatedAt })
            .ToListAsync(cancellationToken);
        var fired = await db.JournalEntries.AsNoTracking()
            .Where(j => j.InstanceId == r.WorkflowInstanceId && j.Kind == TraceKinds.TimerFired)
            .Select(j => new { j.Id, j.At, j.ActivityId })
            .ToListAsync(cancellationToken);

        // Who: the users named by the lines (authors, completers, navigators assigned), in one query.
        var navigatorIds = history.Select(h => NavigatorOf(h.DetailJson)).OfType<string>();
        var userIds = history.Select(h => h.By).Concat(completed.Select(t => t.CompletedBy)).Concat(navigatorIds)
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var names = userIds.Count == 0
            ? new Dictionary<string, string?>(StringComparer.Ordinal)
            : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
                .Select(u => new { u.Id, u.DisplayName }).ToDictionaryAsync(u => u.Id, u => u.DisplayName, StringComparer.Ordinal, cancellationToken);
        string? Name(string? id) => id is null ? null : names.TryGetValue(id, out var n) && !string.IsNullOrWhiteSpace(n) ? n : "a member of staff";

        var lines = new List<(DateTimeOffset At, int Order, long Id, StoryLineDto Line)>();
        foreach (var h in history)
            lines.Add((h.At, 0, h.Id, new StoryLineDto(h.At, h.Kind, HistoryText(h.Kind, h.Summary, Name(NavigatorOf(h.DetailJson))), Name(h.By))));
        foreach (var t in completed)
        {
            var at = t.CompletedAt ?? t.CreatedAt;
            var text = new StringBuilder().Append("Completed ").Append(t.Title);
            if (!string.IsNullOrEmpty(t.Outcome)) text.Append(": ").Append(Words(t.Outcome));
            text.Append('.');
            if (!string.IsNullOrWhiteSpace(t.Notes)) text.Append(" Note: ").Append(t.Notes.Trim());
            lines.Add((at, 1, 0, new StoryLineDto(at, "task-completed", text.ToString(), Name(t.CompletedBy) ?? "the system")));
        }
        foreach (var j in fired)
        {
            var what = j.ActivityId is { } id && TimerWords.TryGetValue(id, out var words) ? words : Words(j.ActivityId);
            lines.Add((j.At, 2, j.Id, new StoryLineDto(j.At, "timer-fired", $"Time reached: {what}", null)));
        }
        return lines.OrderByDescending(l => l.At).ThenByDescending(l => l.Order).ThenByDescending(l => l.Id).Select(l => l.Line).ToList();
    }

    private static string HistoryText(string kind, string summary, string? navigator) => kind switch
    {
        "stage" when summary.StartsWith("Stage: ", StringComparison.Ordinal) => $"Stage changed to {Words(summary["Stage: ".Length..])}",
        "closed" when summary.StartsWith("Closed: ", StringComparison.Ordinal) => $"Closed: {Words(summary["Closed: ".Length..])}",
        "assigned" when navigator is not null => $"Assigned to {navigator}",
        "navigator-changed" when navigator is not null => $"{summary} (now {navigator})",
        _ => summary,
    };

    private static string? NavigatorOf(string? detailJson)
    {
        if (string.IsNullOrEmpty(detailJson)) return null;
        try
        {
            return JsonNode.Parse(detailJson) is JsonObject o && o["navigatorId"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<Dictionary<string, JsonNode?>> VariablesAsync(ReconnectDbContext db, string instanceId, CancellationToken cancellationToken)
    {
        var json = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.StateJson).FirstOrDefaultAsync(cancellationToken);
        return json is null ? new Dictionary<string, JsonNode?>() : StateSerializer.Deserialize(json).Variables;
    }

    private static int Whole(Dictionary<string, JsonNode?> variables, string name, int fallback)
    {
        if (!variables.TryGetValue(name, out var node) || node is not JsonValue value) return fallback;
        if (value.TryGetValue<int>(out var i)) return i;
        if (value.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= 0 and <= 10_000) return (int)d;
        if (value.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var p)) return p;
        return fallback;
    }

    private static int KindOrder(string kind) => kind switch
    {
        NextStepDto.TaskKind => 0,
        NextStepDto.TimerKind => 1,
        _ => 2,
    };

    /// <summary>A date as people write it: "3 Feb 2027".</summary>
    public static string Short(DateOnly date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary><c>PreRelease</c> → "pre-release"-ish words: "Pre release" becomes "pre-release", others split at capitals.</summary>
    public static string Words(string? pascal)
    {
        if (string.IsNullOrEmpty(pascal)) return "";
        if (pascal is "PreRelease") return "pre-release";
        if (pascal is "PostRelease") return "post-release";
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(pascal[i - 1])) text.Append(' ').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }
}
