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
using Reconnect.Workflows.Server.Workflows;

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

        services.AddReconnectClock(configuration, builder.Environment);

        var (provider, connectionString) = configuration.GetDatabase();
        services.AddReconnectPersistence(provider, connectionString);
        services.AddReconnectEngine();
        services.AddReconnectAuth();
        services.AddScoped<DemoSeeder>();
        services.AddSingleton<WorkflowFileDeployer>();

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
        services.AddSingleton(_ => ActivityRegistry.CreateDefault());
        services.AddSingleton(_ => new ExpressionEvaluator());
        services.AddSingleton(sp => new WorkflowRunner(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton(sp => new WorkflowValidator(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<ExpressionEvaluator>()));
        services.AddSingleton<WorkflowDefinitionService>();
        services.AddSingleton<WorkflowRuntime>();
        return services;
    }

    /// <summary>System time, or (with <c>Testing:ClockControl</c>) a clock an admin can move forward — refused in Production.</summary>
    public static IServiceCollection AddReconnectClock(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var clockControl = configuration.GetValue<bool>("Testing:ClockControl");
        if (clockControl && environment.IsProduction())
            throw new InvalidOperationException("Testing:ClockControl is on in Production: refusing to start. Turn it off.");
        if (clockControl)
        {
            var clock = new ControllableTimeProvider(TimeProvider.System);
            services.AddSingleton(clock);
            services.AddSingleton<TimeProvider>(clock);
        }
        else
        {
            services.AddSingleton(TimeProvider.System);
        }
        return services;
    }
}
