using System.Text;
using Ccfs.Protocol;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>Every §3 row that applies to upload: its HTTP status, resultCode and resultDesc, and nothing stored.</summary>
public sealed class UploadRefusalTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    private const string Upload = CcfsPaths.UploadFile + "?vdnId=53";
    private const string BodyNull = "The params of requestBody is null.";

    private static readonly string Data = Convert.ToBase64String(Samples.Sine);

    public static TheoryData<string> NotAnEnvelope() =>
    [
        "",
        "   ",
        "not json",
        "[]",
        "\"text\"",
        "null",
        """{"msgBody":{"data":"UklGRg=="}}""",
        """{"request":{"version":"2.0"}}""",
        """{"request":"2.0","msgBody":{"data":"UklGRg=="}}""",
        """{"request":{"version":"2.0"},"msgBody":"UklGRg=="}""",
        """{"request":{"version":"2.0"},"msgBody":null}""",
        """{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}} trailing""",
        """{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}}{}""",
        """{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}""",
        """{"request":{"version":"2.0"},/*comment*/"msgBody":{"data":"UklGRg=="}}""",
        """{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg==",}}""",
        // A name that escapes half a surrogate pair is no name at all: it cannot be read as text.
        """{"\ud800":1,"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}}""",
        """{"request":{"version":"2.0","\udc00":1},"msgBody":{"data":"UklGRg=="}}""",
        """{"request":{"version":"2.0"},"msgBody":{"\ud800x":1,"data":"UklGRg=="}}""",
    ];

    [Theory]
    [MemberData(nameof(NotAnEnvelope))]
    public async Task A_body_that_is_not_an_envelope_is_0300007(string body)
    {
        await AssertRefusedAsync(Upload, Encoding.UTF8.GetBytes(body), "0300007", BodyNull);
    }

    [Fact]
    public async Task Nesting_past_the_reader_depth_is_0300007()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 100)) + string.Concat(Enumerable.Repeat("]", 100));

        await AssertRefusedAsync(Upload, SignedClient.Envelope($$"""{"deep":{{deep}},"data":"{{Data}}"}"""), "0300007", BodyNull);
    }

    [Fact]
    public async Task Too_many_members_is_0300007()
    {
        var members = string.Concat(Enumerable.Range(0, 100).Select(i => $"\"m{i}\":{i},"));

        await AssertRefusedAsync(Upload, SignedClient.Envelope($$"""{{{members}}"data":"{{Data}}"}"""), "0300007", BodyNull);
    }

    [Theory]
    [InlineData("""{"request":{},"msgBody":{"data":"UklGRg=="}}""", "0300001", "The value of version cannot be null.")]
    [InlineData("""{"request":{"version":null},"msgBody":{"data":"UklGRg=="}}""", "0300001", "The value of version cannot be null.")]
    [InlineData("""{"request":{"version":""},"msgBody":{"data":"UklGRg=="}}""", "0300002", "The value of version cannot be an empty string.")]
    [InlineData("""{"request":{"version":"1.0"},"msgBody":{"data":"UklGRg=="}}""", "0300006", "The value of version is error, current version is 2.0 .")]
    [InlineData("""{"request":{"version":"2.0 "},"msgBody":{"data":"UklGRg=="}}""", "0300006", "The value of version is error, current version is 2.0 .")]
    [InlineData("""{"request":{"version":2.0},"msgBody":{"data":"UklGRg=="}}""", "0300006", "The value of version is error, current version is 2.0 .")]
    [InlineData("""{"request":{"version":"\ud800"},"msgBody":{"data":"UklGRg=="}}""", "0300006", "The value of version is error, current version is 2.0 .")]
    public async Task The_version_rules(string body, string code, string desc)
    {
        await AssertRefusedAsync(Upload, Encoding.UTF8.GetBytes(body), code, desc);
    }

    [Fact]
    public async Task An_escaped_version_is_read_unescaped()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"request":{"version":"2\u002e0"},"msgBody":{"data":"{{{Data}}}"}}""");

        await CcfsAnswer.AssertTripleAsync(await factory.Signed().PostAsync(Upload, body), "0", "success");
    }

    [Theory]
    [InlineData(CcfsPaths.UploadFile, "0300001", "The value of vdnId cannot be null.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnid=53", "0300001", "The value of vdnId cannot be null.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=", "0300002", "The value of vdnId cannot be an empty string.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=abc", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=0", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=-53", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=53.0", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=053", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=%2B53", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=+53", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=2147483648", "0300004", "The format of vdnId is incorrect.")]
    [InlineData(CcfsPaths.UploadFile + "?vdnId=99999999999999999999", "0300004", "The format of vdnId is incorrect.")]
    public async Task The_vdnId_rules(string pathAndQuery, string code, string desc)
    {
        await AssertRefusedAsync(pathAndQuery, SignedClient.UploadBody(Samples.Sine), code, desc);
    }

    [Theory]
    [InlineData("abc", "vdnId 'abc' is not a whole number from 1 to 2147483647")]
    [InlineData("0", "vdnId '0' is zero: VDNs are numbered from 1")]
    [InlineData("-0", "vdnId '-0' is zero: VDNs are numbered from 1")]
    [InlineData("-53", "vdnId '-53' is negative: VDNs are numbered from 1")]
    [InlineData("053", "vdnId '053' has a leading zero: send 53")]
    [InlineData("%2B53", "vdnId '+53' has a sign: send 53")]
    [InlineData("+53", "vdnId ' 53' has a space around the number (a '+' in a query is a space): send 53")]
    [InlineData("+01", "vdnId ' 01' has a space around the number (a '+' in a query is a space) and a leading zero: send 1")]
    [InlineData("%2B-1", "vdnId '+-1' is not a whole number from 1 to 2147483647")]
    [InlineData("+", "vdnId ' ' is only spaces (a '+' in a query is a space)")]
    [InlineData("2147483648", "vdnId '2147483648' is over 2147483647, the largest VDN number")]
    [InlineData("99999999999999999999999999", "vdnId '999999999999999999999999...' is over 2147483647, the largest VDN number")]
    public async Task A_vdnId_that_is_not_a_VDN_number_is_refused_naming_the_mistake(string vdnId, string reason)
    {
        var response = await AssertRefusedAsync(CcfsPaths.UploadFile + "?vdnId=" + vdnId, SignedClient.UploadBody(Samples.Sine), "0300004",
            "The format of vdnId is incorrect.");

        Assert.Equal(reason, CcfsAnswer.Reason(response));
    }

    [Theory]
    [InlineData("data:audio/wav;base64,UklGRg==", "msgBody.data is a data: URL (data:...;base64,...): send only the Base64 after the comma")]
    [InlineData("UklGRg-_AAAA", "msgBody.data has '-' at byte 6 of the string: that is URL-safe Base64 (Java's Base64.getUrlEncoder(), Python's "
        + "urlsafe_b64encode); use the standard alphabet, with '+' and '/'")]
    [InlineData("UklGRg", "msgBody.data does not end in a whole group of four Base64 characters: is its '=' padding missing?")]
    [InlineData("ICAgQUI", "msgBody.data does not end in a whole group of four Base64 characters: is its '=' padding missing?")]
    [InlineData("UklGRg===", "msgBody.data does not end in a whole group of four Base64 characters: too much '=' padding?")]
    [InlineData("Uk=lGRg=", "msgBody.data is not valid Base64: '=' may only end it, as padding (were pieces encoded apart and joined?)")]
    [InlineData("AA==QQ", "msgBody.data is not valid Base64: '=' may only end it, as padding (were pieces encoded apart and joined?)")]
    [InlineData("AA==QQ==", "msgBody.data is not valid Base64: '=' may only end it, as padding (were pieces encoded apart and joined?)")]
    [InlineData("UklGRg==@@", "msgBody.data has '@' at byte 8 of the string, which is not Base64 (A-Z a-z 0-9 + / and = at the end)")]
    [InlineData("ICAgICAg@", "msgBody.data has '@' at byte 8 of the string, which is not Base64 (A-Z a-z 0-9 + / and = at the end)")]
    public async Task Data_that_is_not_Base64_is_refused_naming_the_mistake(string data, string reason)
    {
        var response = await AssertRefusedAsync(Upload, SignedClient.Envelope($$"""{"data":"{{data}}"}"""), "0300004", "The format of data is incorrect.");

        Assert.Equal(reason, CcfsAnswer.Reason(response));
    }

    /// <summary>Past its first 256 bytes a value's decoded part is overwritten; what follows it still names the mistake.</summary>
    [Theory]
    [InlineData("QQ-_", "msgBody.data has '-' at byte 402 of the string: that is URL-safe Base64 (Java's Base64.getUrlEncoder(), Python's "
        + "urlsafe_b64encode); use the standard alphabet, with '+' and '/'")]
    [InlineData("QQ", "msgBody.data does not end in a whole group of four Base64 characters: is its '=' padding missing or wrong?")]
    [InlineData("QQ==QQ==", "msgBody.data is not valid Base64: '=' may only end it, as padding (were pieces encoded apart and joined?)")]
    [InlineData("QQ==@", "msgBody.data has '@' at byte 404 of the string, which is not Base64 (A-Z a-z 0-9 + / and = at the end)")]
    public async Task A_long_value_that_is_not_Base64_far_from_its_start_is_refused_naming_the_mistake(string end, string reason)
    {
        var data = new string('A', 400) + end;

        var response = await AssertRefusedAsync(Upload, SignedClient.Envelope($$"""{"data":"{{data}}"}"""), "0300004", "The format of data is incorrect.");

        Assert.Equal(reason, CcfsAnswer.Reason(response));
    }

    [Fact]
    public async Task Base64_broken_by_spaces_and_escaped_line_breaks_is_read_as_a_decoder_reads_it()
    {
        var wave = Convert.ToBase64String(Samples.Sine);
        var spaced = string.Join("\\r\\n", Enumerable.Range(0, (wave.Length + 75) / 76).Select(i => wave.Substring(i * 76, Math.Min(76, wave.Length - i * 76))));

        var response = await factory.Signed().PostAsync(Upload, SignedClient.Envelope($$"""{"data":"{{spaced}}"}"""));

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    [Theory]
    [InlineData("""{}""", "0300001", "The value of data cannot be null.")]
    [InlineData("""{"data":null}""", "0300001", "The value of data cannot be null.")]
    [InlineData("""{"Data":"UklGRg=="}""", "0300001", "The value of data cannot be null.")]
    [InlineData("""{"data":""}""", "0300002", "The value of data cannot be an empty string.")]
    [InlineData("""{"data":12345}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":{"a":1}}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":["UklGRg=="]}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":"@@@@"}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":"UklGR"}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":"UklGRg=\u003d="}""", "0300004", "The format of data is incorrect.")]
    [InlineData("""{"data":"aGVsbG8gd29ybGQ="}""", "0300004", "The format of data is incorrect.")]
    public async Task The_data_rules(string msgBody, string code, string desc)
    {
        await AssertRefusedAsync(Upload, SignedClient.Envelope(msgBody), code, desc);
    }

    [Theory]
    [InlineData("""{"request":{"version":"2.0"},"msgBody":{"data":"UklGRg==","data":"UklGRg=="}}""", "data")]
    [InlineData("""{"request":{"version":"2.0"},"request":{"version":"2.0"},"msgBody":{"data":"UklGRg=="}}""", "request")]
    [InlineData("""{"request":{"version":"2.0","version":"2.0"},"msgBody":{"data":"UklGRg=="}}""", "version")]
    [InlineData("""{"request":{"version":"2.0"},"msgBody":{"x":1,"data":"UklGRg==","x":2}}""", "x")]
    public async Task A_property_given_twice_is_0300004_naming_it(string body, string property)
    {
        await AssertRefusedAsync(Upload, Encoding.UTF8.GetBytes(body), "0300004", $"The format of {property} is incorrect.");
    }

    /// <summary>
    /// empty.wav is left out: its Base64 is the empty string, which the JSON rules answer with 0300002
    /// (<see cref="The_data_rules"/>) before any audio is looked at.
    /// </summary>
    public static TheoryData<string> InvalidSamples() => [.. Samples.Names("invalid").Where(n => n != "empty.wav")];

    [Fact]
    public async Task The_empty_sample_is_an_empty_data_string()
    {
        Assert.Empty(Samples.Read("invalid", "empty.wav"));

        await AssertRefusedAsync(Upload, SignedClient.UploadBody([]), "0300002", "The value of data cannot be an empty string.");
    }

    [Theory]
    [MemberData(nameof(InvalidSamples))]
    public async Task Every_invalid_sample_is_0300004_with_its_reason_in_a_header_and_the_log(string sample)
    {
        var logged = factory.Logs.Count;
        var response = await AssertRefusedAsync(Upload, SignedClient.UploadBody(Samples.Read("invalid", sample)), "0300004",
            "The format of data is incorrect.");

        var reason = CcfsAnswer.Reason(response);
        Assert.False(string.IsNullOrWhiteSpace(reason));
        Assert.Equal(Ccfs.Audio.WaveValidator.Validate(Samples.Read("invalid", sample)).Reason, reason);
        Assert.Contains(factory.Logs.Skip(logged), l => l.Category == RequestLog.Category
            && l.GetStructuredStateValue("Outcome") == "0300004" && l.GetStructuredStateValue("Reason") == reason);
    }

    [Theory]
    [InlineData("mulaw-8k-sine.wav")]
    [InlineData("pcm-u8-8k-sine.wav")]
    public async Task Optional_encodings_are_0300004_by_default(string sample)
    {
        var response = await AssertRefusedAsync(Upload, SignedClient.UploadBody(Samples.Read("optional", sample)), "0300004",
            "The format of data is incorrect.");

        Assert.Contains("not among the accepted encodings", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_declared_json_is_415(string contentType)
    {
        var before = factory.Snapshot();

        var response = await factory.Signed().PostAsync(Upload, SignedClient.UploadBody(Samples.Sine), new() { ContentType = contentType });
        var forged = await factory.Signed(secretKey: "wrong").PostAsync(Upload, SignedClient.UploadBody(Samples.Sine), new() { ContentType = contentType });

        await CcfsAnswer.AssertSpringAsync(response, System.Net.HttpStatusCode.UnsupportedMediaType, CcfsPaths.UploadFile);
        Assert.Contains("is not application/json", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        // Routing does not answer first: a request that is not authenticated is 401, whatever its type.
        await CcfsAnswer.AssertSpringAsync(forged, System.Net.HttpStatusCode.Unauthorized, CcfsPaths.UploadFile);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("Application/JSON;charset=utf-8")]
    public async Task Any_spelling_of_the_json_media_type_is_accepted(string contentType)
    {
        var response = await factory.Signed().PostAsync(Upload, SignedClient.UploadBody(Samples.Sine), new() { ContentType = contentType });

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
    }

    private Task<HttpResponseMessage> AssertRefusedAsync(string pathAndQuery, byte[] body, string code, string desc) =>
        factory.AssertRefusedAsync(c => c.PostAsync(pathAndQuery, body), code, desc);
}
