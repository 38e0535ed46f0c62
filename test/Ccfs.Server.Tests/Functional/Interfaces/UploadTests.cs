using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Interfaces;

public sealed partial class UploadTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    public static TheoryData<string> ValidSamples() => [.. Samples.Names("valid")];

    [Theory]
    [MemberData(nameof(ValidSamples))]
    public async Task Every_valid_sample_is_stored_byte_for_byte_under_the_upload_rule(string sample)
    {
        var wav = Samples.Read("valid", sample);

        var response = await factory.Signed().UploadAsync(wav);

        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        var data = json.GetProperty("resultData");
        var fileName = data.GetProperty("fileName").GetString()!;
        Assert.Matches(NamePattern(CcfsFactory.Vdn), fileName);
        Assert.Equal(["0"], data.GetProperty("locationId").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(SHA256.HashData(wav), SHA256.HashData(factory.ReadCopy(fileName)!));

        var record = await factory.FindAsync(fileName[2..]);
        Assert.NotNull(record);
        Assert.Equal(fileName, record.FileName);
        Assert.Equal(CcfsFactory.Vdn, record.VdnId);
        Assert.Equal(wav.Length, record.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), record.Sha256);
        Assert.Equal("alaw", record.Encoding);
        Assert.Equal(CcfsFactory.AccessKey, record.AccessKey);
        Assert.Equal(["0"], record.Locations);
        Assert.InRange(record.DurationMs, 500, 10_000);
    }

    [Fact]
    public async Task The_documented_upload_alias_stores_too()
    {
        var response = await factory.Signed().PostAsync($"{CcfsPaths.UploadAlias}?vdnId=55", SignedClient.UploadBody(Samples.Sine));

        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.Matches(NamePattern(55), json.GetProperty("resultData").GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task Json_escaped_slashes_and_line_breaks_in_data_still_decode_to_the_exact_bytes()
    {
        var wav = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        var base64 = Convert.ToBase64String(wav, Base64FormattingOptions.InsertLineBreaks);
        Assert.Contains('/', base64);
        var escaped = base64.Replace("/", "\\/", StringComparison.Ordinal).Replace("\r\n", "\\r\\n", StringComparison.Ordinal);

        var response = await factory.Signed().PostAsync($"{CcfsPaths.UploadFile}?vdnId=53",
            SignedClient.Envelope($$"""{"data":"{{escaped}}"}"""));

        var json = await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        var fileName = json.GetProperty("resultData").GetProperty("fileName").GetString()!;
        Assert.Equal(wav, factory.ReadCopy(fileName));
    }

    [Fact]
    public async Task Unknown_envelope_members_are_ignored_and_member_order_does_not_matter()
    {
        var data = Convert.ToBase64String(Samples.Sine);
        var body = System.Text.Encoding.UTF8.GetBytes(
            $$$"""{"msgBody":{"extra":[1,{"a":null}],"data":"{{{data}}}"},"trace":"x","request":{"version":"2.0","caller":"bot"}}""");

        var response = await factory.Signed().PostAsync($"{CcfsPaths.UploadFile}?vdnId=53", body);

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Fact]
    public async Task Two_uploads_of_the_same_file_get_two_names()
    {
        var first = await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Samples.Sine), "0", "success");
        var second = await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Samples.Sine), "0", "success");

        Assert.NotEqual(first.GetProperty("resultData").GetProperty("fileName").GetString(),
            second.GetProperty("resultData").GetProperty("fileName").GetString());
    }

    internal static Regex NamePattern(int vdn) => new($"^Y:/3rdfile/{vdn}/thirdvoicebotfile/[A-Za-z0-9]{{8}}_[0-9]{{13}}\\.wav$");
}
