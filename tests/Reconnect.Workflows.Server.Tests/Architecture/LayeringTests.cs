using System.Reflection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Persistence;

namespace Reconnect.Workflows.Server.Tests.Architecture;

/// <summary>
/// The layering of docs/architecture.md, checked on the built assemblies: the application layer knows nothing of the
/// web, and the UI reaches data only through application services (no DbContext, no API class).
/// </summary>
public class LayeringTests
{
    private static readonly Assembly Application = typeof(ReferralService).Assembly;
    private static readonly Assembly Server = typeof(Program).Assembly;
    private static readonly Assembly Web = typeof(Reconnect.Workflows.Web.Components.Routes).Assembly;

    [Fact]
    public void Application_ReferencesNoAspNetCore()
    {
        // The Identity entity types (users and roles, in the database) are data, not web: Persistence's model uses them.
        var web = Application.GetReferencedAssemblies().Select(a => a.Name!)
            .Where(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && !n.StartsWith("Microsoft.AspNetCore.Identity", StringComparison.Ordinal))
            .ToList();
        Assert.True(web.Count == 0, "The application layer references " + string.Join(", ", web));
        Assert.DoesNotContain(Application.GetReferencedAssemblies(), a => a.Name == Server.GetName().Name);
    }

    [Fact]
    public void Web_ReferencesNeitherTheHostNorEntityFramework()
    {
        var names = Web.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(Server.GetName().Name, names);
        // Not one EF Core type in the UI's compiled code: it reaches data through the application layer's services only.
        Assert.DoesNotContain(names, n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.Contains(Application.GetName().Name, names);
    }

    [Fact]
    public void Server_HoldsNoUiComponents()
    {
        var components = Server.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t)).Select(t => t.FullName).ToList();
        Assert.True(components.Count == 0, "The host holds components: " + string.Join(", ", components));
    }

    [Fact]
    public void UiComponents_InjectNoDbContextAndCallNoApiClass()
    {
        var components = Web.GetTypes().Where(t => t.Namespace?.StartsWith("Reconnect.Workflows.Web.Components", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(components);
        var offenders = new List<string>();
        foreach (var type in components)
        {
            var injected = type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(p => p.GetCustomAttribute<InjectAttribute>() is not null).Select(p => p.PropertyType);
            var constructed = type.GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .SelectMany(c => c.GetParameters()).Select(p => p.ParameterType);
            foreach (var dependency in injected.Concat(constructed))
                if (IsDataAccess(dependency) || dependency.Namespace == "Reconnect.Workflows.Server.Api")
                    offenders.Add($"{type.FullName} takes {dependency.Name}");
        }
        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
    }

    private static bool IsDataAccess(Type type) =>
        typeof(DbContext).IsAssignableFrom(type)
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDbContextFactory<>))
        || type == typeof(ReconnectDbContext);
}
