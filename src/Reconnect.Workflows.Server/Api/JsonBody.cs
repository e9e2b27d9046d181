using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// Request bodies read by hand, so that every way a client can get a body wrong is a 4xx problem, never a 500: too big
/// (413, checked here too because the in-process test server does not enforce Kestrel's limit), not JSON or nested too
/// deep (400), wrong types or unknown fields in a request DTO (400 with <c>errors</c> keyed by the JSON path).
/// </summary>
internal static class JsonBody
{
    /// <summary>As Kestrel's limit (Hosting/ServiceRegistration.cs): a 60-activity pathway is a few hundred KB.</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    /// <summary>Deep enough for any real definition; deeper is an attack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Request DTOs: camelCase, strict (unknown fields are refused, naming them).</summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = MaxDepth,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter() },
    };

    public sealed record Read(byte[]? Bytes, ProblemHttpResult? Problem)
    {
        public bool IsEmpty => Bytes is null || Bytes.Length == 0;
    }

    /// <summary>The body's bytes once they are known to be one well-formed JSON value of reasonable size and depth.</summary>
    public static async Task<Read> ReadAsync(HttpRequest request, bool allowEmpty, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) return new(null, Problems.TooLarge());
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return new(null, Problems.TooLarge());
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        if (IsBlank(bytes))
            return allowEmpty ? new([], null) : new(null, Problems.BadRequest("The request has no body.", new() { ["body"] = ["A JSON body is required."] }));
        try
        {
            using var _ = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            return new(null, Problems.BadRequest("The body is not valid JSON.", new() { ["body"] = [Short(ex.Message)] }));
        }
        return new(bytes, null);
    }

    /// <summary>Binds a request DTO strictly; an empty body binds to <paramref name="empty"/> when given.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, T? empty = null) where T : class
    {
        var body = await ReadAsync(request, allowEmpty: empty is not null, cancellationToken);
        if (body.Problem is not null) return (null, body.Problem);
        if (body.IsEmpty) return (empty, null);
        try
        {
            var value = JsonSerializer.Deserialize<T>(body.Bytes, Strict);
            if (value is null) return (null, Problems.BadRequest("The body must be a JSON object.", new() { ["body"] = ["null is not an object."] }));
            return (value, null);
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "body";
            return (null, Problems.BadRequest("The body has fields of the wrong type or fields this endpoint does not take.", new() { [path] = [Short(ex.Message)] }));
        }
    }

    private static bool IsBlank(byte[] bytes)
    {
        foreach (var b in bytes)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)) return false;
        return true;
    }

    /// <summary>System.Text.Json's messages are long and name CLR types; keep the first sentence.</summary>
    internal static string Short(string message)
    {
        var clr = message.IndexOf(" Path:", StringComparison.Ordinal);
        var text = clr > 0 ? message[..clr] : message;
        return text.Length > 300 ? text[..300] : text;
    }
}
