using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Migrations;

namespace Reconnect.Workflows.Server.Api;

/// <summary>
/// Migrations and bulk operations (issue 11; shapes in docs/api.md): <c>POST /api/workflow-definitions/{definitionId}/migrations</c>
/// (managers: <see cref="Policies.EditWorkflows"/>), <c>POST /api/workflow-instances/bulk-cancel</c> and <c>/bulk-retry</c>
/// (<see cref="Policies.ManageInstances"/>, as one cancel or retry), and <c>GET /api/migrations/{id}</c> for either kind of job
/// (<see cref="Policies.ReadInstances"/>).
/// </summary>
public static class MigrationsApi
{
    private const string Jobs = "/api/migrations";

    public static IEndpointRouteBuilder MapMigrationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/workflow-definitions/{definitionId}/migrations").WithTags("Migrations").RequireAuthorization(Policies.EditWorkflows)
            .MapPost("/", MigrateAsync).Accepts<MigrationRequest>("application/json");
        var bulk = app.MapGroup("/api/workflow-instances").WithTags("Migrations").RequireAuthorization(Policies.ManageInstances);
        bulk.MapPost("/bulk-cancel", BulkCancelAsync).Accepts<BulkRequest>("application/json");
        bulk.MapPost("/bulk-retry", BulkRetryAsync).Accepts<BulkRequest>("application/json");
        app.MapGroup(Jobs).WithTags("Migrations").RequireAuthorization(Policies.ReadInstances).MapGet("/{id}", GetAsync);
        return app;
    }

    private static async Task<Results<Ok<MigrationDryRun>, Ok<BulkCount>, Accepted<MigrationJobDto>, ProblemHttpResult>> MigrateAsync(
        string definitionId, HttpRequest request, ClaimsPrincipal user, MigrationService migrations, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<MigrationRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return ToHttp(await migrations.SubmitAsync(user, definitionId, body!, cancellationToken));
    }

    private static async Task<Results<Ok<MigrationDryRun>, Ok<BulkCount>, Accepted<MigrationJobDto>, ProblemHttpResult>> BulkCancelAsync(
        HttpRequest request, ClaimsPrincipal user, BulkOperations bulk, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<BulkRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return ToHttp(await bulk.CancelAsync(user, body!, cancellationToken));
    }

    private static async Task<Results<Ok<MigrationDryRun>, Ok<BulkCount>, Accepted<MigrationJobDto>, ProblemHttpResult>> BulkRetryAsync(
        HttpRequest request, ClaimsPrincipal user, BulkOperations bulk, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<BulkRequest>(request, cancellationToken);
        if (problem is not null) return problem;
        return ToHttp(await bulk.RetryAsync(user, body!, cancellationToken));
    }

    private static async Task<Results<Ok<MigrationJobDto>, ProblemHttpResult>> GetAsync(string id, MigrationService migrations, CancellationToken cancellationToken) =>
        await migrations.GetAsync(id, cancellationToken) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"No migration or bulk operation '{id}'.");

    private static Results<Ok<MigrationDryRun>, Ok<BulkCount>, Accepted<MigrationJobDto>, ProblemHttpResult> ToHttp(MigrationResult result) => result switch
    {
        MigrationResult.DryRun dry => TypedResults.Ok(dry.Answer),
        MigrationResult.Counted counted => TypedResults.Ok(new BulkCount(counted.Count)),
        MigrationResult.Started started => TypedResults.Accepted($"{Jobs}/{started.Job.Id}", started.Job),
        MigrationResult.Invalid invalid => Problems.BadRequest("The request has problems.", invalid.Errors),
        MigrationResult.NotFound notFound => Problems.NotFound(notFound.Message),
        MigrationResult.Refused refused => Problems.Unprocessable(refused.Message, refused.Errors),
        MigrationResult.Forbidden forbidden => TypedResults.Problem(forbidden.Message, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden"),
        _ => throw new InvalidOperationException("Unknown migration result."),
    };
}
