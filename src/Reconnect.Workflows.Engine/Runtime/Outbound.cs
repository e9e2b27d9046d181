using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Reconnect.Workflows.Engine.Activities;

namespace Reconnect.Workflows.Engine.Runtime;

/// <summary>An outbound HTTP request a workflow asked for (Elsa.SendHttpRequest / FlowSendHttpRequest).</summary>
public sealed record HttpRequestData(string Url, string Method, string? Content, string? ContentType, JsonObject? Headers);

/// <summary>Sends workflows' HTTP requests. The answer is what the activity resumes with: {statusCode, content, contentType, headers} or {error}.</summary>
public interface IHttpRequestSender
{
    Task<JsonObject> SendAsync(HttpRequestData request, CancellationToken cancellationToken);
}

/// <summary>An e-mail a workflow asked for (Elsa.SendEmail).</summary>
public sealed record EmailMessage(string? From, IReadOnlyList<string> To, IReadOnlyList<string> Cc, IReadOnlyList<string> Bcc, string Subject, string Body);

/// <summary>Sends workflows' e-mails (SMTP in the host).</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

public sealed record HttpSenderOptions
{
    /// <summary>Hosts a workflow may call ("api.example.org", or "*.example.org"); nothing else is called.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Retries after a failure to connect or a 5xx answer, with a doubling back-off from <see cref="RetryDelay"/>.</summary>
    public int Retries { get; init; } = 2;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Bodies larger than this are cut (a workflow keeps its answer in its state).</summary>
    public int MaxResponseChars { get; init; } = 256 * 1024;
}

/// <summary>
/// Sends requests with an <see cref="HttpClient"/> from the host (IHttpClientFactory's), only to allowed hosts, with a
/// time-out per attempt and retries on failures to connect and 5xx answers.
/// </summary>
public sealed class HttpClientRequestSender(Func<HttpClient> clientFactory, HttpSenderOptions options) : IHttpRequestSender
{
    public static bool IsAllowed(Uri uri, IReadOnlyList<string> allowedHosts) => allowedHosts.Any(pattern =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
            ? uri.Host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(uri.Host, pattern, StringComparison.OrdinalIgnoreCase) || string.Equals(uri.Authority, pattern, StringComparison.OrdinalIgnoreCase));

    public async Task<JsonObject> SendAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) || !IsAllowed(uri, options.AllowedHosts))
            return new JsonObject { ["error"] = "not-allowed", ["message"] = $"Host of '{request.Url}' is not in the allow-list." };
        var client = clientFactory();
        var delay = options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            try
            {
                using var message = new HttpRequestMessage(new HttpMethod(request.Method), uri);
                if (request.Content is not null)
                    message.Content = new StringContent(request.Content, Encoding.UTF8, request.ContentType ?? "text/plain");
                if (request.Headers is not null)
                    foreach (var (name, value) in request.Headers)
                        message.Headers.TryAddWithoutValidation(name, ValueConverter.ToText(value));
                using var response = await client.SendAsync(message, timeout.Token);
                if ((int)response.StatusCode >= 500 && attempt < options.Retries)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay *= 2;
                    continue;
                }
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (body.Length > options.MaxResponseChars) body = body[..options.MaxResponseChars];
                var headers = new JsonObject();
                foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                    headers[name] = string.Join(", ", values);
                return new JsonObject
                {
                    ["statusCode"] = (int)response.StatusCode,
                    ["content"] = body,
                    ["contentType"] = response.Content.Headers.ContentType?.MediaType,
                    ["headers"] = headers,
                };
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt < options.Retries) continue;
                return new JsonObject { ["error"] = "timeout", ["message"] = $"No answer from {uri.Host} within {options.Timeout.TotalSeconds:0.###} s." };
            }
            catch (HttpRequestException ex)
            {
                if (attempt < options.Retries)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay *= 2;
                    continue;
                }
                return new JsonObject { ["error"] = "failed-to-connect", ["message"] = ex.Message };
            }
        }
    }
}
