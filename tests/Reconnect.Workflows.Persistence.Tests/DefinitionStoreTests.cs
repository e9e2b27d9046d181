using Reconnect.Workflows.Persistence.Tests.Infrastructure;
using static Reconnect.Workflows.Persistence.Tests.Infrastructure.Flow;

namespace Reconnect.Workflows.Persistence.Tests;

public class DefinitionStoreTests
{
    private static readonly DateTimeOffset PublishedAt = new(2027, 1, 2, 10, 30, 0, TimeSpan.Zero);

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Definition_RoundTrips_VersionsAndFlags(string provider)
    {
        await using var t = await PersistedRuntime.CreateAsync(provider);
        var v1 = new Flow("pathway", 1).Add("start", "Elsa.Start").Add("e", "Elsa.Event", ("eventName", Lit("go"))).Chain("start", "e").Build();
        v1.PublishedAt = PublishedAt;
        v1.SourceHash = new string('a', 64);
        v1.Description = "first";
        await t.Store.SaveAsync(v1);
        var v2 = new Flow("pathway", 2).Add("start", "Elsa.Start").Add("w", "Elsa.WriteLine", ("text", Lit("draft"))).Chain("start", "w").Build();
        v2.IsPublished = false;
        await t.Store.SaveAsync(v2);

        var published = await t.Store.FindPublishedAsync("pathway");
        Assert.NotNull(published);
        Assert.Equal(1, published.Version);
        Assert.True(published.IsPublished);
        Assert.False(published.IsLatest);
        Assert.Equal(PublishedAt, published.PublishedAt);
        Assert.Equal(new string('a', 64), published.SourceHash);
        Assert.Equal("first", published.Description);
        Assert.Equal(["start", "e"], published.Root.Activities!.Select(a => a.Id));
        Assert.Equal("go", published.Root.Activities![1].GetInput("eventName")!.Value!.ToString());

        var latest = await t.Store.FindLatestAsync("pathway");
        Assert.Equal(2, latest!.Version);
        Assert.True(latest.IsLatest);
        Assert.False(latest.IsPublished);
        Assert.Null(latest.PublishedAt);

        Assert.Equal(1, (await t.Store.FindVersionAsync("pathway", 1))!.Version);
        Assert.Null(await t.Store.FindVersionAsync("pathway", 3));
        Assert.Null(await t.Store.FindPublishedAsync("nothing"));
        var versions = await t.Store.ListVersionsAsync("pathway");
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal([false, true], versions.Select(v => v.IsLatest));
        Assert.Equal([true, false], versions.Select(v => v.IsPublished));
        Assert.Equal(["pathway"], (await t.Store.ListLatestAsync()).Select(d => d.DefinitionId));

        // Publishing v2 retracts v1 (one published version), and the cache does not serve the old flags.
        v2.IsPublished = true;
        v2.PublishedAt = PublishedAt.AddDays(1);
        await t.Store.SaveAsync(v2);
        Assert.Equal(2, (await t.Store.FindPublishedAsync("pathway"))!.Version);
        var again = await t.Store.ListVersionsAsync("pathway");
        Assert.Equal([false, true], again.Select(v => v.IsPublished));
        Assert.Equal(PublishedAt, again[0].PublishedAt);
        Assert.Equal(new string('a', 64), again[0].SourceHash);
        Assert.Equal(1, await t.CountAsync("WorkflowDefinitions", "\"IsPublished\" = @p", ("@p", true)));
    }

    [Theory, MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task Definition_WithHostActivityType_SavesAndRuns(string provider)
    {
        // A host registers its own activity types (the referral domain's tasks); saving such a definition must not need them.
        await using var t = await PersistedRuntime.CreateAsync(provider, DueTaskActivity.Registry());
        await t.PublishAsync(new Flow("custom").Add("task", DueTaskActivity.TypeName, ("title", Lit("Call"))).Build());

        var started = await t.Runtime.StartAsync("custom");

        Assert.True(started.Succeeded);
        Assert.Equal(1, await t.CountAsync("Tasks"));
    }
}
