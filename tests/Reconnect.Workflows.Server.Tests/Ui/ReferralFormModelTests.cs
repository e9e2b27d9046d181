namespace Reconnect.Workflows.Server.Tests.Ui;

public class ReferralFormModelTests
{
    [Fact]
    public void Rules_UnknownSite_IsNotMet()
    {
        var model = new Reconnect.Workflows.Web.Components.Shared.ReferralFormModel { Site = "XYZ" };
        var site = model.Rules(new DateOnly(2027, 1, 4), ["LEI", "NHI", "WEI"]).Single(r => r.Name == "Site");
        Assert.False(site.Met);
        model.Site = "LEI";
        Assert.True(model.Rules(new DateOnly(2027, 1, 4), ["LEI", "NHI", "WEI"]).Single(r => r.Name == "Site").Met);
    }
}
