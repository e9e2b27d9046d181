using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reconnect.Workflows.Application.Access;
using Reconnect.Workflows.Application.Definitions;
using Reconnect.Workflows.Application.Referrals;
using Reconnect.Workflows.Application.Time;
using Reconnect.Workflows.Engine.Time;
using Reconnect.Workflows.Persistence;
using Reconnect.Workflows.Persistence.Entities;

namespace Reconnect.Workflows.Application.Tests.Infrastructure;

/// <summary>
/// The application layer composed as the server composes it (<c>AddReconnectApplication</c>, persistence, the engine,
/// the workflow clock), on a throwaway database, with the repository's pathway published through
/// <see cref="DefinitionService"/> and one account per role. No web host, no HTTP, no Quartz.
/// </summary>
public sealed class ApplicationKit : IAsyncDisposable
{
    public const string Postgres = "PostgreSql";
    public const string NavigatorLeeds = "navigator-lei";
    public const string NavigatorNewHall = "navigator-nhi";

    private readonly TestDatabase _database;

    public ServiceProvider Services { get; }
    public RecordingDefinitionListener DefinitionChanges { get; }

    private ApplicationKit(TestDatabase database, ServiceProvider services, RecordingDefinitionListener changes)
    {
        _database = database;
        Services = services;
        DefinitionChanges = changes;
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    public DateOnly Today => LondonTime.Today(Service<ControllableTimeProvider>().GetUtcNow());

    public static async Task<ApplicationKit> StartAsync(string provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var changes = new RecordingDefinitionListener();
        var kit = new ApplicationKit(database, Compose(database, changes), changes);
        try
        {
            await kit.InitializeAsync();
            return kit;
        }
        catch
        {
            await kit.DisposeAsync();
            throw;
        }
    }

    private static ServiceProvider Compose(TestDatabase database, RecordingDefinitionListener changes)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<ReconnectOptions>().Configure(o => o.Sites = RepositorySites());
        services.AddReconnectClock();
        services.AddReconnectApplication();
        services.AddReconnectPersistence(database.Provider, database.ConnectionString);
        services.AddReconnectEngine();
        // Identity's user manager on the same database, as the host has it (accounts, sign-in through the organisation).
        services.AddIdentityCore<ApplicationUser>(o => o.User.RequireUniqueEmail = true).AddRoles<IdentityRole>().AddEntityFrameworkStores<ReconnectDbContext>();
        services.AddSingleton<IDefinitionChangeListener>(changes);
        return services.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>
    /// Another composition of the application on the same database: a second node, or this one after a restart (nothing
    /// in memory carries over). The caller disposes it.
    /// </summary>
    public ServiceProvider NewNode() => Compose(_database, new RecordingDefinitionListener());

    private async Task InitializeAsync()
    {
        await using (var db = await Service<IDbContextFactory<ReconnectDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
            db.Users.AddRange(
                User(NavigatorLeeds, "LEI"), User(NavigatorNewHall, "NHI"),
                User(Roles.Manager, null), User(Roles.Admin, null), User(Roles.Referrer, null), User(Roles.Scheduler, null));
            await db.SaveChangesAsync();
        }
        using var scope = Services.CreateScope();
        var json = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "workflows", "reconnect-referral-pathway.json"));
        var imported = await scope.ServiceProvider.GetRequiredService<DefinitionService>().ImportAsync(Manager, json);
        Assert.True(imported.Succeeded, imported.Error);
        var published = await scope.ServiceProvider.GetRequiredService<DefinitionService>().PublishAsync(Manager, ReferralService.PathwayDefinitionId);
        Assert.True(published.Succeeded, published.Error);
        DefinitionChanges.Clear();
    }

    // ------------------------------------------------------------------ callers

    public static ClaimsPrincipal Caller(string userId, params string[] roles) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, userId), new Claim(ClaimTypes.Name, userId + "@reconnect.test"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))],
            "test", ClaimTypes.Name, ClaimTypes.Role));

    public static ClaimsPrincipal Manager => Caller(Roles.Manager, Roles.Manager);
    public static ClaimsPrincipal Admin => Caller(Roles.Admin, Roles.Admin);
    public static ClaimsPrincipal Referrer => Caller(Roles.Referrer, Roles.Referrer);
    public static ClaimsPrincipal Scheduler => Caller(Roles.Scheduler, Roles.Scheduler);
    public static ClaimsPrincipal Navigator(string id = NavigatorLeeds) => Caller(id, Roles.Navigator);

    private static ApplicationUser User(string id, string? site) => new()
    {
        Id = id, UserName = id + "@reconnect.test", NormalizedUserName = (id + "@reconnect.test").ToUpperInvariant(),
        Email = id + "@reconnect.test", NormalizedEmail = (id + "@reconnect.test").ToUpperInvariant(), Site = site,
    };

    // ------------------------------------------------------------------ the repository

    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reconnect.Workflows.sln"))) return dir.FullName;
        throw new InvalidOperationException("Reconnect.Workflows.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The sites of the repository's appsettings.json, as the server reads them.</summary>
    private static List<SiteOptions> RepositorySites()
    {
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "appsettings.json")));
        return settings.RootElement.GetProperty("Reconnect").GetProperty("Sites").EnumerateArray()
            .Select(s => new SiteOptions { Code = s.GetProperty("Code").GetString()!, Name = s.GetProperty("Name").GetString()!, Kind = s.GetProperty("Kind").GetString()! })
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>A definition change listener that remembers what it was told (the schedules' reconciler is one in the server).</summary>
public sealed class RecordingDefinitionListener : IDefinitionChangeListener
{
    private readonly List<string> _changed = [];

    public IReadOnlyList<string> Changed { get { lock (_changed) return [.. _changed]; } }

    public void Clear() { lock (_changed) _changed.Clear(); }

    public Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default)
    {
        lock (_changed) _changed.Add(definitionId);
        return Task.CompletedTask;
    }

    public Task OnStartupAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}
