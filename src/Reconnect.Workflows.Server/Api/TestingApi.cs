using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Server.Hosting;
using Reconnect.Workflows.Application;
using Reconnect.Workflows.Application.Time;

namespace Reconnect.Workflows.Server.Api;

public sealed record AdvanceClockRequest([property: Required] string AdvanceBy);

public sealed record ClockResponse(DateTimeOffset Now, TimeSpan Offset, int TimersFired);

/// <summary><c>POST /api/testing/clock {advanceBy: "P3D"}</c> (Admin): only when <c>Testing:ClockControl</c> is on.</summary>
public static class TestingApi
{
    public static IEndpointRouteBuilder MapTestingApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/testing").WithTags("Testing").RequireAuthorization(Policies.ControlClock);

        group.MapGet("/clock", Results<Ok<ClockResponse>, NotFound> (IOptions<TestingOptions> testing, ControllableTimeProvider clock) =>
            testing.Value.ClockControl ? TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset, 0)) : TypedResults.NotFound());

        group.MapPost("/clock", async Task<Results<Ok<ClockResponse>, NotFound, ValidationProblem>> (
            AdvanceClockRequest request, IOptions<TestingOptions> testing, ControllableTimeProvider clock, WorkflowRuntime runtime, CancellationToken cancellationToken) =>
        {
            if (!testing.Value.ClockControl) return TypedResults.NotFound();
            if (!ValueConverter.TryParseDuration(request.AdvanceBy, out var by) || by < TimeSpan.Zero)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["advanceBy"] = [$"'{request.AdvanceBy}' is not a positive duration such as P3D or PT12H."],
                });
            clock.Advance(by);
            // Answer once what fell due has been handled.
            var fired = await runtime.DispatchDueTimersAsync(cancellationToken: cancellationToken);
            return TypedResults.Ok(new ClockResponse(clock.GetUtcNow(), clock.Offset, fired));
        });
        return app;
    }
}
