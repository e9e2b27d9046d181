using Reconnect.Workflows.Server.Api;
using Reconnect.Workflows.Server.Auth;
using Reconnect.Workflows.Server.StudioHost;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Web.Components;
using Scalar.AspNetCore;
using Serilog;

namespace Reconnect.Workflows.Server.Hosting;

public static class Pipeline
{
    public static WebApplication UseReconnectPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Elsa Studio's package files (public, many, large): before request logging and authentication.
        app.UseElsaStudioFiles();
        // One line per request; no bodies or query strings that could carry personal data.
        app.UseSerilogRequestLogging(o => o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms");
        app.UseAuthentication();
        // Deactivated accounts and stale security stamps are signed out here, before any policy is asked.
        app.UseReconnectAccountCheck();
        app.UseAuthorization();
        // After authorisation: a caller refused with 401/403 takes no permit; changes are counted per signed-in user.
        app.UseRateLimiter();
        // After authorisation: checks the UI's form posts (sign-in, sign-out, Blazor forms); the JSON API binds no forms.
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapReconnectEndpoints(this WebApplication app)
    {
        app.MapAuthApi();
        app.MapTestingApi();
        app.MapWorkflowDefinitionsApi();
        app.MapWorkflowInstancesApi();
        app.MapMigrationsApi();
        app.MapSchedulesApi();
        app.MapReferralsApi();
        app.MapTasksApi();
        app.MapAuditApi();
        app.MapUsersApi();
        app.MapAllocationApi();
        app.MapAbsencesApi();
        app.MapCaseloadsApi();
        app.MapNotificationsApi();
        Reconnect.Workflows.Server.ElsaApi.ElsaApiEndpoints.MapElsaApi(app);
        Reconnect.Workflows.Server.ElsaHttp.ElsaHttpRegistration.MapElsaHttp(app);
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapReconnectMetrics();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/scalar").AllowAnonymous();
        app.MapElsaStudio();
        app.MapAccountEndpoints();
        app.MapOrganisationSignInEndpoints();
        app.MapReconnectUi();
        return app;
    }
}
