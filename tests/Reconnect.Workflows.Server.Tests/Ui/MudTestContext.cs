using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Reconnect.Workflows.Server.Tests.Ui;

/// <summary>
/// bUnit with MudBlazor's services, loose JS interop and a popover provider (selects and dialogs need one). Under
/// xunit 2 the context is disposed asynchronously: MudBlazor's PopoverService is async-disposable only.
/// </summary>
public abstract class MudTestContext : BunitContext, IAsyncLifetime
{
    protected MudTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync()
    {
        Render<MudPopoverProvider>();
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
