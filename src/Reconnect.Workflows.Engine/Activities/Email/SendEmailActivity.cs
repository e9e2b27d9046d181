using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;

namespace Reconnect.Workflows.Engine.Activities.Email;

/// <summary>
/// <c>Elsa.SendEmail</c>: an e-mail put in the outbox by the step and sent by the runtime after the commit (through the
/// host's SMTP sender and settings); the activity waits for the send and is done, or faults with the SMTP error.
/// </summary>
public sealed class SendEmailActivity : IActivity
{
    public const string SendEventName = "$email:send";

    public static string SentEventName(string messageId) => "$email:sent:" + messageId;

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Elsa.SendEmail", DisplayName = "Send e-mail", Category = "Email", Icon = "Email", IsWaiting = true,
        Description = "Sends an e-mail through the configured SMTP server after this step commits.",
        Inputs =
        [
            new InputDescriptor { Name = "from", DisplayName = "From", TypeName = "String" },
            new InputDescriptor { Name = "to", DisplayName = "To", TypeName = "String[]", Required = true },
            new InputDescriptor { Name = "cc", DisplayName = "Cc", TypeName = "String[]" },
            new InputDescriptor { Name = "bcc", DisplayName = "Bcc", TypeName = "String[]" },
            new InputDescriptor { Name = "subject", DisplayName = "Subject", TypeName = "String" },
            new InputDescriptor { Name = "body", DisplayName = "Body", TypeName = "String", UiHint = "multiline" },
        ],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var to = ValueConverter.ToStringList(context.Evaluate("to"));
        if (to.Count == 0) throw new InvalidOperationException("SendEmail has no recipient.");
        var messageId = context.NewId();
        var sent = SentEventName(messageId);
        static JsonArray List(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)JsonValue.Create(i))]);
        context.AddEffect(new PublishEventEffect(SendEventName, null, new JsonObject
        {
            ["messageId"] = messageId,
            ["sentEvent"] = sent,
            ["from"] = context.GetString("from"),
            ["to"] = List(to),
            ["cc"] = List(ValueConverter.ToStringList(context.Evaluate("cc"))),
            ["bcc"] = List(ValueConverter.ToStringList(context.Evaluate("bcc"))),
            ["subject"] = context.GetString("subject") ?? "",
            ["body"] = context.GetString("body") ?? "",
        }));
        return ActivityResult.Wait(context.CreateBookmark(StimulusNames.Event, sent, payload: new JsonObject { ["eventName"] = sent, ["to"] = List(to) }));
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, JsonNode? input)
    {
        if (ValueConverter.ToText(input?["error"]) is { Length: > 0 } error)
            throw new InvalidOperationException($"The e-mail could not be sent: {error}");
        return ActivityResult.Done();
    }
}
