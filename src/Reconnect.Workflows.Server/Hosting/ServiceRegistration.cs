using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Engine.Activities;
using Reconnect.Workflows.Engine.Execution;
using Reconnect.Workflows.Engine.Expressions;
using Reconnect.Workflows.Engine.Runtime;
using Reconnect.Workflows.Engine.Validation;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Web.Components;
using Reconnect.Workflows.Server.Scheduling;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;

namespace Reconnect.Workflows.Server.Hosting;

public static class ServiceRegistration
{
    /// <summary>Everything the server needs, feature by feature.</summary>
    public static WebApplicationBuilder AddReconnectServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ReconnectOptions>().Bind(configuration.GetSection(ReconnectOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section));
        services.AddOptions<TestingOptions>().Bind(configuration.GetSection(TestingOptions.Section));

        services.AddReconnectClock();
        // Read when first needed: a host or test can still change configuration after registration.
        // The use cases (before persistence: the referral writer takes referral tasks ahead of the core writer).
        services.AddReconnectApplication();
        services.AddReconnectPersistence(sp =>
        {
            var (provider, connectionString) = sp.GetRequiredService<IConfiguration>().GetDatabase();
            return new DatabaseSettings(provider, connectionString);
        });
        services.AddReconnectEngine();
        Reconnect.Workflows.Server.ElsaHttp.ElsaHttpRegistration.AddElsaHttp(services);
        services.AddReconnectAuth();
        services.AddScoped<DemoSeeder>();
        services.AddSingleton<WorkflowFileDeployer>();
        services.AddReconnectScheduling(configuration);
        services.AddReconnectUi();
        services.AddReconnectRateLimiting(configuration);
        services.AddReconnectTelemetry(configuration);

        services.AddProblemDetails();
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.MaxDepth = 64;
        });
        // Large enough for a 60-activity pathway, small enough that a flood is refused at the door.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
        services.AddOpenApi();
        services.AddHealthChecks().AddDbContextCheck<ReconnectDbContext>("database");
        return builder;
    }

    /// <summary>The engine: activities, expressions, the pure runner, validation, versions and the runtime over the database stores.</summary>
    public static IServiceCollection AddReconnectEngine(this IServiceCollection services)
    {
        // The built-in Elsa activities and the referral domain's Reconnect.* ones.
        services.AddSingleton(_ => Reconnect.Workflows.Referrals.Activities.ReferralActivities.CreateRegistry());
        services.AddSingleton(_ => new ExpressionEvaluator());
        services.AddSingleton(sp => new WorkflowRunner(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton(sp => new WorkflowValidator(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton(sp => new WorkflowDefinitionService(
            sp.GetRequiredService<IWorkflowDefinitionStore>(), sp.GetRequiredService<WorkflowValidator>(), sp.GetRequiredService<ControllableTimeProvider>()));
        services.AddSingleton(sp => new WorkflowRuntime(
            sp.GetRequiredService<WorkflowRunner>(), sp.GetRequiredService<IWorkflowDefinitionStore>(), sp.GetRequiredService<IWorkflowInstanceStore>(),
            sp.GetRequiredService<ControllableTimeProvider>()));
        return services;
    }

    /// <summary>
    /// The workflow clock: system time plus an offset that only the test clock (<c>Testing:ClockControl</c>, never in
    /// Production) moves. Workflows, timers and referral windows read it; ASP.NET Core's own <see cref="TimeProvider"/>
    /// (sign-in tokens, cookies) stays on real time, so moving the test clock does not sign everybody out.
    /// </summary>
    public static IServiceCollection AddReconnectClock(this IServiceCollection services)
    {
        services.AddSingleton(_ => new ControllableTimeProvider(TimeProvider.System));
        return services;
    }
}
