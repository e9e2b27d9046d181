using System.Globalization;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Referrals.Activities;

/// <summary>
/// <c>Reconnect.RecordRelease</c>: the person's actual release date, written on the referral (<c>releasedOn</c>) with a
/// history line saying how it became known. The pathway keeps the same date in its <c>ReleasedOn</c> variable, from
/// which every post-release timer is computed.
/// </summary>
public sealed class RecordReleaseActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.RecordRelease", DisplayName = "Record release", Category = "Referrals", Icon = "DoorFront",
        Description = "Records the actual release date on the referral, with how it became known.",
        Inputs =
        [
            new InputDescriptor { Name = "date", DisplayName = "Release date (YYYY-MM-DD)", TypeName = "String", Required = true, DefaultSyntax = Expression.JavaScript },
            new InputDescriptor { Name = "source", DisplayName = "How it became known", TypeName = "String" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var text = context.GetString("date");
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            throw new ArgumentException($"The release date '{text}' is not a date (YYYY-MM-DD).");
        context.SetOutput(JsonValue.Create(text));
        context.AddEffect(new ReleaseRecordedEffect(ReferralContext.ReferralId(context), date, context.GetString("source")));
        return ActivityResult.Done();
    }
}

/// <summary><c>Reconnect.RecordHistory</c>: a line in the referral's history (a decision the pathway made, in words).</summary>
public sealed class RecordHistoryActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Reconnect.RecordHistory", DisplayName = "Record in history", Category = "Referrals", Icon = "History",
        Description = "Adds a line to the referral's history.",
        Inputs =
        [
            new InputDescriptor { Name = "text", DisplayName = "Text", TypeName = "String", Required = true, DefaultSyntax = Expression.Liquid, UiHint = "multiline" },
            new InputDescriptor { Name = "kind", DisplayName = "Kind", TypeName = "String", DefaultValue = "note" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var text = context.GetString("text");
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("The history line is empty.");
        var kind = context.GetString("kind") is { Length: > 0 } k ? k : "note";
        context.AddEffect(new ReferralHistoryEffect(ReferralContext.ReferralId(context), kind.Length <= 40 ? kind : kind[..40], text.Length <= 1000 ? text : text[..1000]));
        return ActivityResult.Done();
    }
}
