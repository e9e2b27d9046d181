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
using Reconnect.Workflows.Server.StudioHost;
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
        // The use cases.
        services.AddReconnectApplication();
        services.AddReconnectPersistence(sp =>
        {
            var (provider, connectionString) = sp.GetRequiredService<IConfiguration>().GetDatabase();
            return new DatabaseSettings(provider, connectionString);
        });
        services.AddReconnectEngine();
        Reconnect.Workflows.Server.ElsaHttp.ElsaHttpRegistration.AddElsaHttp(services);
        services.AddReconnectAuth();
        services.AddReconnectOrganisationSignIn(configuration);
        services.AddScoped<DemoSeeder>();
        services.AddSingleton<WorkflowFileDeployer>();
        services.AddReconnectScheduling(configuration);
        services.AddReconnectUi();
        services.AddElsaStudio(configuration);
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
}
