using MudBlazor;

namespace Reconnect.Workflows.Web.Components;

/// <summary>
/// MudBlazor's default theme with the status colours darkened to at least 4.5:1 against white (WCAG AA for text):
/// the defaults (info #2196f3, warning #ff9800, error #f44336, success #00c853) fail axe's colour-contrast rule as the
/// text of outlined chips and buttons. The browser tests' axe check keeps this honest.
/// </summary>
public static class UiTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Info = "#1565c0",
            Success = "#2e7d32",
            Warning = "#a15c00",
            Error = "#c62828",
        },
    };
}
