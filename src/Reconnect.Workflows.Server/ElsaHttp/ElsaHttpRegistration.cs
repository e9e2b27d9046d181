using System.Text.Json;
using System.Text.Json.Nodes;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Reconnect.Workflows.Engine.Activities.Http;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Model;
using Reconnect.Workflows.Engine.Runtime;

namespace Reconnect.Workflows.Server.ElsaHttp;

/// <summary>Settings <c>Reconnect:ElsaHttp</c>: inbound endpoints at /workflows/{path}, outbound requests, SMTP.</summary>
public sealed class ElsaHttpOptions
{
    /// <summary>Let requests without a signed-in user reach /workflows/{path}. Off: never anonymous.</summary>
    public bool AllowAnonymous { get; set; }
    /// <summary>Hosts workflows may call (exact, or "*.example.org").</summary>
    public List<string> AllowedHosts { get; set; } = [];
    public int TimeoutSeconds { get; set; } = 30;
    public int Retries { get; set; } = 2;
    /// <summary>How long this node keeps the published HTTP triggers before reading them again (its own publishes are seen at once).</summary>
    public int TriggerCacheSeconds { get; set; } = 30;
    public SmtpOptions Smtp { get; set; } = new();
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    /// <summary>None, StartTls, SslOnConnect, Auto.</summary>
    public string Security { get; set; } = "Auto";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "workflows@reconnect.test";
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>Sends workflows' e-mails with MailKit over SMTP.</summary>
public sealed class SmtpEmailSender(SmtpOptions options) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Host)) throw new InvalidOperationException("No SMTP host is configured (Reconnect:ElsaHttp:Smtp:Host).");
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(string.IsNullOrWhiteSpace(message.From) ? options.From : message.From));
        foreach (var to in message.To) mime.To.Add(MailboxAddress.Parse(to));
        foreach (var cc in message.Cc) mime.Cc.Add(MailboxAddress.Parse(cc));
        foreach (var bcc in message.Bcc) mime.Bcc.Add(MailboxAddress.Parse(bcc));
        mime.Subject = message.Subject;
        mime.Body = new TextPart("plain") { Text = message.Body };
        using var client = new SmtpClient { Timeout = options.TimeoutSeconds * 1000 };
        var security = Enum.TryParse<SecureSocketOptions>(options.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.Auto;
        await client.ConnectAsync(options.Host, options.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(options.UserName)) await client.AuthenticateAsync(options.UserName, options.Password ?? "", cancellationToken);
        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }
}

/// <summary>Gives the runtime its HTTP and SMTP senders once the host has built it.</summary>
internal sealed class ElsaHttpAttach(WorkflowRuntime runtime, IHttpRequestSender http, IEmailSender email) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.HttpSender = http;
        runtime.EmailSender = email;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class ElsaHttpRegistration
{
    public const string HttpClientName = "elsa-workflows";

    /// <summary>Outbound HTTP (IHttpClientFactory, allow-list, time-out, retries) and SMTP for workflows, from <c>Reconnect:ElsaHttp</c>.</summary>
    public static IServiceCollection AddElsaHttp(this IServiceCollection services)
    {
        // Read when first needed: a host or a test can still change configuration after registration.
        services.AddSingleton(sp => sp.GetRequiredService<IConfiguration>().GetSection("Reconnect:ElsaHttp").Get<ElsaHttpOptions>() ?? new ElsaHttpOptions());
        services.AddHttpClient(HttpClientName);
        services.AddSingleton<IHttpRequestSender>(sp =>
        {
            var options = sp.GetRequiredService<ElsaHttpOptions>();
            return new HttpClientRequestSender(
                () => sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                new HttpSenderOptions { AllowedHosts = options.AllowedHosts, Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds), Retries = options.Retries });
        });
        services.AddSingleton<IEmailSender>(sp => new SmtpEmailSender(sp.GetRequiredService<ElsaHttpOptions>().Smtp));
        services.AddHostedService<ElsaHttpAttach>();
        services.AddSingleton<HttpTriggerIndex>();
        services.AddSingleton<Application.Definitions.IDefinitionChangeListener>(sp => sp.GetRequiredService<HttpTriggerIndex>());
        return services;
    }

    /// <summary>
    /// <c>/workflows/{path}</c>: starts published workflows whose HttpEndpoint trigger matches, resumes instances waiting
    /// on a matching endpoint, and answers with the response a workflow wrote (else 200 with the instance ids, 404 when
    /// nothing matched). A signed-in user is required unless <c>AllowAnonymous</c>; an endpoint's <c>policy</c> (roles,
    /// comma-separated) must match one of the user's roles, for a trigger and for an endpoint an instance waits on alike.
    /// </summary>
    public static WebApplication MapElsaHttp(this WebApplication app)
    {
        app.Map("/workflows/{**path}", HandleAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, string? path, WorkflowRuntime runtime, HttpTriggerIndex index,
        ElsaHttpOptions options, CancellationToken cancellationToken)
    {
        var user = http.User;
        if (!options.AllowAnonymous && user.Identity?.IsAuthenticated != true) return Results.Unauthorized();
        var method = http.Request.Method.ToUpperInvariant();
        var requestPath = "/" + (path ?? "");

        var triggers = new List<(WorkflowDefinition, string, string)>();
        foreach (var trigger in await index.MatchAsync(method, requestPath, cancellationToken))
        {
            if (trigger.Roles.Count > 0 && !trigger.Roles.Any(user.IsInRole)) return Results.Forbid();
            triggers.Add((trigger.Definition, trigger.ActivityId, trigger.PathTemplate));
        }

        var query = new JsonObject();
        foreach (var (key, value) in http.Request.Query) query[key] = value.ToString();
        var headers = new JsonObject();
        foreach (var (key, value) in http.Request.Headers)
            if (!string.Equals(key, "Authorization", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, "Cookie", StringComparison.OrdinalIgnoreCase))
                headers[key] = value.ToString();
        JsonNode? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(http.Request.Body);
            var text = await reader.ReadToEndAsync(cancellationToken);
            try { body = http.Request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? JsonNode.Parse(text) : text; }
            catch (JsonException) { return Results.Problem("The request body is not valid JSON.", statusCode: 400); }
        }

        var stimulus = new WorkflowRuntime.HttpRequestStimulus(method, requestPath, query, headers, body, MayUse: roles => roles.Any(user.IsInRole));
        var outcome = await runtime.HandleHttpRequestAsync(stimulus, triggers, cancellationToken);
        if (outcome.InstanceIds.Count == 0 && outcome.Refused > 0) return Results.Forbid();
        if (outcome.InstanceIds.Count == 0) return Results.Problem($"No workflow answers {method} /workflows{requestPath}.", statusCode: 404);
        if (outcome.Response is not { } response) return Results.Ok(new { workflowInstanceIds = outcome.InstanceIds });
        if (response.Headers is not null)
            foreach (var (name, value) in response.Headers)
                http.Response.Headers[name] = value?.ToString();
        return Results.Text(response.Content ?? "", response.ContentType, System.Text.Encoding.UTF8, response.StatusCode);
    }
}
