using Ccfs.Audio;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Unit.Configuration;

/// <summary>Configuration is checked once at start-up, and every problem is named.</summary>
public sealed class SettingsTests
{
    private static readonly Dictionary<string, string?> Account = new()
    {
        ["Ccfs:Accounts:0:AccessKey"] = "ak",
        ["Ccfs:Accounts:0:SecretKey"] = "sk",
        ["Ccfs:Accounts:0:VdnIds:0"] = "53",
    };

    [Fact]
    public void Nothing_configured_gives_the_embedded_default()
    {
        var settings = Load([]);

        Assert.Equal(Path.GetFullPath("./ccfs-data"), settings.DataDir);
        Assert.True(settings.UsesDevelopmentAccount);
        Assert.Equal("ccfs-dev-ak", Assert.Single(settings.Accounts).AccessKey);
        Assert.Equal([1], settings.Accounts[0].VdnIds);
        var location = Assert.Single(settings.Locations);
        Assert.Equal("0", location.Id);
        Assert.Equal(Path.Combine(settings.DataDir, "locations", "0"), location.Root);
        Assert.True(settings.Listeners.UseDefaultHttps);
        Assert.Equal(5 * 1024 * 1024, settings.Parameters.UploadSizeLimitBytes);
        Assert.Equal("/3rdfile/53/thirdvoicebotfile", settings.Parameters.UploadPathRule.FolderFor(53));
        Assert.Equal(3, settings.Parameters.DownloadPathRules.Count);
        Assert.Equal('Y', settings.Parameters.DriveLetter);
        Assert.Equal(WaveEncodings.ALaw, settings.Parameters.AcceptedEncodings);
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Auth.MaxClockSkew);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("https://localhost:9443")]
    [InlineData("http://[::1]:5080;http://127.0.0.2:5081")]
    public void The_development_account_serves_loopback_listeners(string urls)
    {
        var settings = Load(new() { ["urls"] = urls });

        Assert.True(settings.UsesDevelopmentAccount);
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:5080")]
    [InlineData("urls", "http://*:5080")]
    [InlineData("urls", "http://+:5080")]
    [InlineData("urls", "http://127.0.0.1:5080;http://10.1.2.3:5080")]
    [InlineData("urls", "http://ccfs.example:5080")]
    [InlineData("http_ports", "8080")]
    [InlineData("Kestrel:Endpoints:Public:Url", "https://0.0.0.0:443")]
    public void Without_an_account_a_non_loopback_listener_refuses_to_start(string key, string value)
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new() { [key] = value }));

        Assert.Contains("no account is configured", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ccfs:Accounts:0:AccessKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_an_account_a_non_loopback_listener_is_fine_and_there_is_no_development_account()
    {
        var settings = Load(new(Account) { ["urls"] = "http://0.0.0.0:5080" });

        Assert.False(settings.UsesDevelopmentAccount);
        Assert.Equal(["ak"], settings.Accounts.Select(a => a.AccessKey));
    }

    [Theory]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMB2", "5", "UploadSizeLimitMB2")]
    [InlineData("Ccfs:Paramters:UploadSizeLimitMb", "5", "Paramters")]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMb", "five", "five")]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMb", "0", "UploadSizeLimitMb")]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMb", "-1", "UploadSizeLimitMb")]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMb", "0.0000001", "a limit of 0 bytes")]
    [InlineData("Ccfs:Parameters:DownloadPathRule", " ; ", "names no rule")]
    [InlineData("Ccfs:Parameters:DownloadPathRule", "", "names no rule")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/3rdfile/%VDN%/x/", "unknown token '%VDN%'")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/3rdfile/x/", "must contain %VDNNO%")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "3rdfile/%VDNNO%/", "must start with '/'")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/3rdfile/../%VDNNO%/", "'..'")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/3rdfile/vdn%VDNNO%/", "whole segment")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/.ccfs-tmp/%VDNNO%/", "reserved")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/prompts/%VDNNO%/bot é/", "U+00E9")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/prompts/%VDNNO%/a*b/", "'*'")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/prompts/%VDNNO%/a:b/", "':'")]
    [InlineData("Ccfs:Parameters:UploadPathRule", "/prompts/%VDNNO%/%VDNNO%/", "more than once")]
    [InlineData("Ccfs:Parameters:DownloadPathRule", "/voice/%VDNNO%/IVRrecordFile;/voice/%VDNNO%/a?b", "'?'")]
    [InlineData("Ccfs:Parameters:DownloadPathRule", "/voice/%VDNNO%/IVRrecordFile;/voice/%DATE%", "unknown token '%DATE%'")]
    [InlineData("Ccfs:Parameters:DriveLetter", "YY", "DriveLetter")]
    [InlineData("Ccfs:Parameters:DriveLetter", "1", "DriveLetter")]
    [InlineData("Ccfs:Parameters:AcceptedEncodings", "alaw,opus", "'opus'")]
    [InlineData("Ccfs:Parameters:AcceptedEncodings", "", "AcceptedEncodings")]
    [InlineData("Ccfs:Locations:0:Id", "a/b", "Locations:0:Id")]
    [InlineData("Ccfs:Auth:MaxClockSkew", "00:00:00", "MaxClockSkew")]
    [InlineData("Ccfs:Auth:TrustedProxies:0", "not-an-ip", "not-an-ip")]
    [InlineData("Ccfs:Limits:MaxConcurrentUploads", "0", "MaxConcurrentUploads")]
    [InlineData("Ccfs:Compatibility:ResultDescriptions:0", "ok", "SuccessDescription")]
    [InlineData("Ccfs:Compatibility:ResultDescriptions:0300099", "x", "'0300099' is not a result code")]
    [InlineData("Ccfs:Compatibility:ResultDescriptions:0300004", " ", "ResultDescriptions:0300004 is empty")]
    [InlineData("Ccfs:Compatibility:SuccessDescription", "", "SuccessDescription is empty")]
    [InlineData("Ccfs:Admin:RefreshInterval", "00:00:06", "RefreshInterval is 00:00:06; it must be at most 00:00:05")]
    [InlineData("Ccfs:Admin:RefreshInterval", "01:00:00", "within 5 s")]
    [InlineData("Ccfs:Compatibility:HashField", "fileName", "HashField 'fileName' would repeat the fileName member")]
    [InlineData("Ccfs:Compatibility:HashField", "FileName", "HashField 'FileName' would repeat the fileName member")]
    [InlineData("Ccfs:Compatibility:HashField", " ", "HashField is empty")]
    [InlineData("Ccfs:Accounts:0:PreviousSecretKey", "sk", "Ccfs:Accounts:0:PreviousSecretKey is the same as SecretKey")]
    public void A_bad_value_is_named(string key, string value, string expected)
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new(Account) { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMbs", "5", "unknown key Ccfs:Parameters:UploadSizeLimitMbs; did you mean Ccfs:Parameters:UploadSizeLimitMb?")]
    [InlineData("Ccfs:Parameters:SizeLimit", "5", "unknown key Ccfs:Parameters:SizeLimit; did you mean Ccfs:Parameters:UploadSizeLimitMb?")]
    [InlineData("Ccfs:Paramters:DriveLetter", "Y", "unknown key Ccfs:Paramters:DriveLetter; did you mean Ccfs:Parameters:DriveLetter?")]
    [InlineData("Ccfs:DataDri", "/srv/ccfs", "unknown key Ccfs:DataDri; did you mean Ccfs:DataDir?")]
    [InlineData("Ccfs:Auth:IpLock:MaxFailure", "3", "unknown key Ccfs:Auth:IpLock:MaxFailure; did you mean Ccfs:Auth:IpLock:MaxFailures?")]
    [InlineData("Ccfs:Limits:Uploads", "3", "unknown key Ccfs:Limits:Uploads; did you mean Ccfs:Limits:MaxConcurrentUploads?")]
    [InlineData("Ccfs:Limits:Parallel", "3", "unknown key Ccfs:Limits:Parallel; the keys of Ccfs:Limits are MaxConcurrentUploads, UploadQueueLength")]
    [InlineData("Ccfs:Parameters:UploadSizeLimitMb", "five", "Ccfs:Parameters:UploadSizeLimitMb is 'five'; expected a number such as 5")]
    [InlineData("Ccfs:Limits:MaxConcurrentUploads", "4.5", "Ccfs:Limits:MaxConcurrentUploads is '4.5'; expected a whole number such as 4")]
    [InlineData("Ccfs:Auth:RequireHostSigned", "yes", "Ccfs:Auth:RequireHostSigned is 'yes'; expected true or false")]
    [InlineData("Ccfs:Auth:MaxClockSkew", "15m", "Ccfs:Auth:MaxClockSkew is '15m'; expected a duration such as 00:00:30")]
    [InlineData("Ccfs:Accounts:0:VdnIds:0", "x", "Ccfs:Accounts:0:VdnIds:0 is 'x'; expected a whole number such as 4")]
    [InlineData("Ccfs:Accounts:AccessKey", "ak", "Ccfs:Accounts is a list, so each entry has an index, such as Ccfs:Accounts:0:AccessKey")]
    [InlineData("Ccfs:DataDir:Path", "/srv/ccfs", "Ccfs:DataDir takes a single value (text), not keys under it such as Ccfs:DataDir:Path")]
    [InlineData("Ccfs:Log:Format", "xml", "Ccfs:Log:Format is 'xml'; expected one of auto, json, text")]
    public void A_typo_or_a_value_that_does_not_parse_names_the_key_and_what_is_expected(string key, string value, string expected)
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new(Account) { [key] = value }));

        Assert.Contains(expected, Assert.Single(error.Errors), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_match_ignoring_case_as_configuration_does()
    {
        var settings = Load(new(Account) { ["Ccfs:Parameters:UploadSizeLimitMB"] = "0.5", ["ccfs:dataDIR"] = "/srv/ccfs" });

        Assert.Equal(524_288, settings.Parameters.UploadSizeLimitBytes);
        Assert.Equal("/srv/ccfs", settings.DataDir);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new()
        {
            ["Ccfs:Accounts:0:AccessKey"] = "with/slash",
            ["Ccfs:Accounts:1:AccessKey"] = "ok",
            ["Ccfs:Accounts:1:SecretKey"] = "sk",
            ["Ccfs:Parameters:DriveLetter"] = "",
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:1:Id"] = "0",
        }));

        Assert.Equal(4, error.Errors.Count);
    }

    [Fact]
    public void Account_and_parameter_values_are_read_as_configured()
    {
        var settings = Load(new(Account)
        {
            ["Ccfs:Accounts:0:VdnIds:1"] = "54",
            ["Ccfs:Parameters:UploadSizeLimitMb"] = "0.5",
            ["Ccfs:Parameters:DriveLetter"] = "z",
            ["Ccfs:Parameters:AcceptedEncodings"] = "alaw, mulaw ,pcm8",
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:0:Path"] = "/srv/ccfs/node0",
            ["Ccfs:Locations:1:Id"] = "256",
            ["Ccfs:Auth:MaxClockSkew"] = "00:05:00",
        });

        Assert.Equal([53, 54], settings.Accounts[0].VdnIds.Order());
        Assert.Equal(524_288, settings.Parameters.UploadSizeLimitBytes);
        Assert.Equal('Z', settings.Parameters.DriveLetter);
        Assert.Equal(WaveEncodings.ALaw | WaveEncodings.MuLaw | WaveEncodings.Pcm8, settings.Parameters.AcceptedEncodings);
        Assert.Equal(["/srv/ccfs/node0", Path.Combine(settings.DataDir, "locations", "256")], settings.Locations.Select(l => l.Root));
        Assert.Equal(TimeSpan.FromMinutes(5), settings.Auth.MaxClockSkew);
    }

    [Fact]
    public void A_file_of_the_full_size_fits_the_body_limit_even_with_escaped_slashes()
    {
        var parameters = Load([]).Parameters;
        var file = new byte[parameters.UploadSizeLimitBytes];
        Random.Shared.NextBytes(file);
        var escaped = Convert.ToBase64String(file).Replace("/", "\\/", StringComparison.Ordinal);
        var body = SignedClient.Envelope($$"""{"data":"{{escaped}}"}""");

        Assert.Equal(7_431_510, parameters.UploadBodyLimitBytes);
        Assert.InRange(body.Length, 7_000_000, parameters.UploadBodyLimitBytes);
    }

    private static CcfsSettings Load(Dictionary<string, string?> values) =>
        CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
