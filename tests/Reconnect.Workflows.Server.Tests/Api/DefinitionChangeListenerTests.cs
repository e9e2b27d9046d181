using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Reconnect.Workflows.Server.Tests.Infrastructure;
using Reconnect.Workflows.Server.Workflows;
using Reconnect.Workflows.Application.Definitions;
using static Reconnect.Workflows.Server.Tests.Api.Kit;

namespace Reconnect.Workflows.Server.Tests.Api;

public class DefinitionChangeListenerTests
{
    private sealed class Recorder : IDefinitionChangeListener
    {
        public ConcurrentQueue<string> Changed { get; } = new();
        public Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default)
        {
            Changed.Enqueue(definitionId);
            return Task.CompletedTask;
        }
        public Task OnStartupAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed class Failing : IDefinitionChangeListener
    {
        public Task OnDefinitionChangedAsync(string definitionId, CancellationToken cancellationToken = default) => throw new InvalidOperationException("listener down");
        public Task OnStartupAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    [Fact]
    public async Task PublishRetractImport_TellEveryListener_AFailingOneDoesNotFailTheRequest()
    {
        await using var app = await ReconnectApp.StartAsync();
        var recorder = new Recorder();
        await using var host = app.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<IDefinitionChangeListener>(new Failing());
            s.AddSingleton<IDefinitionChangeListener>(recorder);
        }));
        var client = host.CreateClient();
        var login = await client.PostJsonAsync("/api/auth/login", new System.Text.Json.Nodes.JsonObject { ["email"] = ReconnectApp.Manager, ["password"] = ReconnectApp.Password });
        var token = (await login.JsonAsync(HttpStatusCode.OK))["accessToken"].Str();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        await (await client.PostJsonAsync(Definitions, HelloFlow("told"))).JsonAsync(HttpStatusCode.Created);
        Assert.Empty(recorder.Changed); // a draft changes nothing published
        await (await client.PostAsync($"{Definitions}/told/publish", null)).JsonAsync(HttpStatusCode.OK);
        await (await client.PostAsync($"{Definitions}/told/retract", null)).JsonAsync(HttpStatusCode.OK);
        await (await client.PostJsonAsync($"{Definitions}/import?publish=true", HelloFlow("imported"))).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(["told", "told", "imported"], recorder.Changed);
    }
}
