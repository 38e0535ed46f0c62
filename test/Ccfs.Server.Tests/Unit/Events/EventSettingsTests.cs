using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Unit.Events;

/// <summary>
/// Private destinations are allowed by default exactly on a developer's machine (every listener on loopback), as
/// configured otherwise, and event settings that cannot work stop the start with their key named.
/// </summary>
public sealed class EventSettingsTests
{
    private static readonly Dictionary<string, string?> Account = new()
    {
        ["Ccfs:Accounts:0:AccessKey"] = "ak-events",
        ["Ccfs:Accounts:0:SecretKey"] = "sk-events-0123456789",
        ["Ccfs:Accounts:0:VdnIds:0"] = "53",
    };

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("http://127.0.0.1:8080", null, true)]
    [InlineData("http://localhost:8080;https://[::1]:8443", null, true)]
    [InlineData("http://0.0.0.0:8080", null, false)]
    [InlineData("http://127.0.0.1:8080;http://10.1.2.3:8080", null, false)]
    [InlineData("http://0.0.0.0:8080", "true", true)]
    [InlineData("http://127.0.0.1:8080", "false", false)]
    public void Private_destinations_are_allowed_by_default_only_when_every_listener_is_on_loopback(string? urls, string? configured,
        bool allowed)
    {
        var settings = Load(new(Account) { ["urls"] = urls, ["Ccfs:Events:AllowPrivateDestinations"] = configured });

        Assert.Equal(allowed, settings.AllowsPrivateDestinations);
    }

    [Theory]
    [InlineData("Ccfs:Events:Retention", "00:10:00")]
    [InlineData("Ccfs:Events:MaxConcurrentDeliveries", "0")]
    [InlineData("Ccfs:Events:Timeout", "00:00:00")]
    [InlineData("Ccfs:Events:PollInterval", "00:05:00")]
    public void A_setting_that_cannot_work_stops_the_start_naming_its_key(string key, string value)
    {
        var failure = Assert.Throws<CcfsConfigurationException>(() => Load(new(Account) { [key] = value }));

        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }

    private static CcfsSettings Load(Dictionary<string, string?> values) =>
        CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Where(v => v.Value is not null)).Build());
}
