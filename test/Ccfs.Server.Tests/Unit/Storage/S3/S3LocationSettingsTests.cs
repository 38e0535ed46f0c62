using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Unit.Storage.S3;

/// <summary>An S3 location's settings are checked with the rest of the configuration, and each problem is named by its key.</summary>
public sealed class S3LocationSettingsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Ccfs:Locations:0:Id"] = "0",
        ["Ccfs:Locations:0:Kind"] = "S3",
        ["Ccfs:Locations:0:S3:ServiceUrl"] = "http://127.0.0.1:7480",
        ["Ccfs:Locations:0:S3:Bucket"] = "voice-prompts",
        ["Ccfs:Locations:0:S3:AccessKey"] = "AK",
        ["Ccfs:Locations:0:S3:SecretKey"] = "very-secret",
    };

    [Fact]
    public void An_S3_location_gets_its_bucket_and_the_defaults()
    {
        var location = Assert.Single(Load(Valid).Locations);

        Assert.Equal("0", location.Id);
        Assert.Equal("", location.Root);
        var s3 = location.S3!;
        Assert.Equal(new Uri("http://127.0.0.1:7480"), s3.ServiceUrl);
        Assert.Equal("voice-prompts", s3.Bucket);
        Assert.Equal("", s3.Prefix);
        Assert.Equal(("AK", "very-secret"), (s3.AccessKey, s3.SecretKey));
        Assert.Equal("us-east-1", s3.Region);
        Assert.True(s3.ForcePathStyle);
        Assert.Equal(TimeSpan.FromSeconds(10), s3.Timeout);
        Assert.Equal("s3://voice-prompts/ at http://127.0.0.1:7480/", location.Where);
        Assert.DoesNotContain("very-secret", s3.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_S3_setting_is_taken_and_the_kind_ignores_case_next_to_a_disk_location()
    {
        var settings = Load(new(Valid)
        {
            ["Ccfs:Locations:0:Kind"] = "s3",
            ["Ccfs:Locations:0:S3:Prefix"] = "ccfs/prod/",
            ["Ccfs:Locations:0:S3:Region"] = "cn-north-4",
            ["Ccfs:Locations:0:S3:ForcePathStyle"] = "false",
            ["Ccfs:Locations:0:S3:Timeout"] = "00:00:30",
            ["Ccfs:Locations:1:Id"] = "256",
            ["Ccfs:Locations:1:Kind"] = "Disk",
            ["Ccfs:Locations:1:Path"] = "/srv/ccfs/256",
        });

        var s3 = settings.Locations[0].S3!;
        Assert.Equal(("ccfs/prod/", "cn-north-4", false, TimeSpan.FromSeconds(30)), (s3.Prefix, s3.Region, s3.ForcePathStyle, s3.Timeout));
        Assert.Null(settings.Locations[1].S3);
        Assert.Equal("/srv/ccfs/256", settings.Locations[1].Root);
    }

    [Fact]
    public void Every_problem_of_an_S3_location_is_reported_with_its_key()
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new()
        {
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:0:Kind"] = "S3",
            ["Ccfs:Locations:0:Path"] = "/srv/ccfs/0",
            ["Ccfs:Locations:0:S3:ServiceUrl"] = "ftp://127.0.0.1",
            ["Ccfs:Locations:0:S3:Bucket"] = "Voice_Prompts",
            ["Ccfs:Locations:0:S3:Prefix"] = "/ccfs",
            ["Ccfs:Locations:0:S3:Region"] = "",
            ["Ccfs:Locations:0:S3:Timeout"] = "00:00:00.5",
        }));

        Assert.Equal(
        [
            "Ccfs:Locations:0:Path is set, but an S3 location keeps its files in its bucket; remove Ccfs:Locations:0:Path or make it a Disk location",
            "Ccfs:Locations:0:S3:ServiceUrl 'ftp://127.0.0.1' is not an http or https URL without query, such as http://127.0.0.1:7480",
            "Ccfs:Locations:0:S3:Bucket 'Voice_Prompts' is not a bucket name: 3-63 characters of a-z 0-9 . -, beginning and ending with a letter or digit",
            "Ccfs:Locations:0:S3:Prefix '/ccfs' must be empty or folder names each followed by '/', such as ccfs/ (no leading '/', no empty, '.' or '..' segment)",
            "Ccfs:Locations:0:S3:AccessKey is empty",
            "Ccfs:Locations:0:S3:SecretKey is empty",
            "Ccfs:Locations:0:S3:Region is empty",
            "Ccfs:Locations:0:S3:Timeout is 00:00:00.5000000; it must be between 00:00:01 and 00:10:00",
        ], error.Errors);
    }

    [Theory]
    [InlineData("Ccfs:Locations:0:S3:ServiceUrl", null, "Ccfs:Locations:0:S3:ServiceUrl is empty")]
    [InlineData("Ccfs:Locations:0:S3:ServiceUrl", "http://127.0.0.1:7480/?x=1", "Ccfs:Locations:0:S3:ServiceUrl 'http://127.0.0.1:7480/?x=1' is not")]
    [InlineData("Ccfs:Locations:0:S3:Bucket", null, "Ccfs:Locations:0:S3:Bucket '' is not a bucket name")]
    [InlineData("Ccfs:Locations:0:S3:Bucket", "ab", "Ccfs:Locations:0:S3:Bucket 'ab' is not a bucket name")]
    [InlineData("Ccfs:Locations:0:S3:Bucket", "a..b", "Ccfs:Locations:0:S3:Bucket 'a..b' is not a bucket name")]
    [InlineData("Ccfs:Locations:0:S3:Bucket", "-ab", "Ccfs:Locations:0:S3:Bucket '-ab' is not a bucket name")]
    [InlineData("Ccfs:Locations:0:S3:Prefix", "ccfs", "Ccfs:Locations:0:S3:Prefix 'ccfs' must be")]
    [InlineData("Ccfs:Locations:0:S3:Prefix", "a//", "Ccfs:Locations:0:S3:Prefix 'a//' must be")]
    [InlineData("Ccfs:Locations:0:S3:Prefix", "a/../", "Ccfs:Locations:0:S3:Prefix 'a/../' must be")]
    [InlineData("Ccfs:Locations:0:S3:SecretKey", null, "Ccfs:Locations:0:S3:SecretKey is empty")]
    [InlineData("Ccfs:Locations:0:Kind", "Swift", "Ccfs:Locations:0:Kind 'Swift' is not one of Disk, S3")]
    public void A_wrong_or_missing_S3_setting_is_named(string key, string? value, string expected)
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new(Valid) { [key] = value }));

        Assert.StartsWith(expected, Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_disk_location_with_S3_settings_is_refused()
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new()
        {
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:0:S3:Bucket"] = "voice-prompts",
        }));

        Assert.Equal(["Ccfs:Locations:0:S3 is set, but the location's Kind is Disk; set Ccfs:Locations:0:Kind to S3 or remove Ccfs:Locations:0:S3"],
            error.Errors);
    }

    [Fact]
    public void An_S3_location_without_S3_settings_is_refused()
    {
        var error = Assert.Throws<CcfsConfigurationException>(() => Load(new()
        {
            ["Ccfs:Locations:0:Id"] = "0",
            ["Ccfs:Locations:0:Kind"] = "S3",
        }));

        Assert.Equal(["Ccfs:Locations:0:Kind is S3 but Ccfs:Locations:0:S3 is missing; set Ccfs:Locations:0:S3:ServiceUrl, Bucket, AccessKey and SecretKey"],
            error.Errors);
    }

    private static CcfsSettings Load(Dictionary<string, string?> values) =>
        CcfsSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
}
