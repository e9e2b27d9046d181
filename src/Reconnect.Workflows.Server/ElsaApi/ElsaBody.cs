using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Server.Api;

namespace Reconnect.Workflows.Server.ElsaApi;

/// <summary>A request body as one JSON object, every way of getting it wrong a 400 (or 413): never a 500.</summary>
internal static class ElsaBody
{
    /// <summary>The body as a JSON object (an empty body is an empty object when <paramref name="allowEmpty"/>).</summary>
    public static async Task<(JsonObject? Body, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, bool allowEmpty, string what, CancellationToken cancellationToken)
    {
        var read = await JsonBody.ReadAsync(request, allowEmpty, cancellationToken);
        if (read.Problem is not null)
        {
            if (read.Problem.ProblemDetails is HttpValidationProblemDetails v && read.Problem.ProblemDetails.Detail is null)
                read.Problem.ProblemDetails.Detail = string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
            return (null, read.Problem);
        }
        if (read.IsEmpty) return ([], null);
        try
        {
            // JsonObject builds its dictionary on first use, and a repeated key throws then: build every level now.
            var node = JsonNode.Parse(read.Bytes);
            Materialize(node);
            return node is JsonObject o ? (o, null) : (null, ElsaProblems.BadRequest($"The body is not {what}.", new() { ["body"] = ["Must be a JSON object."] }));
        }
        catch (ArgumentException ex)
        {
            return (null, ElsaProblems.BadRequest($"The body is not {what}.", new() { ["body"] = [JsonBody.Short(ex.Message)] }));
        }
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o) Materialize(child);
                break;
            case JsonArray a:
                foreach (var child in a) Materialize(child);
                break;
        }
    }
}
