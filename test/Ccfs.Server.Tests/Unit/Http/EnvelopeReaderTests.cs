using System.Text;
using Ccfs.Protocol;
using Ccfs.Server.Http;

namespace Ccfs.Server.Tests.Unit.Http;

/// <summary>The envelope reader's answers for bodies built to make it copy or loop: it does neither.</summary>
public sealed class EnvelopeReaderTests
{
    private const int OneMegabyte = 1024 * 1024;

    [Fact]
    public void A_good_envelope_yields_the_wanted_member()
    {
        var json = Encoding.UTF8.GetBytes("""{"request":{"version":"2\u002E0"},"msgBody":{"fileName":"Y:/a.wav"}}""");
        Span<JsonValue> values = stackalloc JsonValue[1];

        Assert.Null(EnvelopeReader.Read(json, ["fileName"], values, out _));
        Assert.Equal("Y:/a.wav", values[0].GetString(json));
    }

    [Theory]
    [InlineData("msgBody")]
    [InlineData("request")]
    [InlineData("root")]
    public void A_property_name_over_the_bound_is_not_an_envelope_and_is_never_copied(string where)
    {
        var name = new string('n', OneMegabyte);
        var json = Encoding.UTF8.GetBytes(where switch
        {
            "msgBody" => $$$"""{"request":{"version":"2.0"},"msgBody":{"{{{name}}}":1,"fileName":"x"}}""",
            "request" => $$$"""{"request":{"version":"2.0","{{{name}}}":1},"msgBody":{"fileName":"x"}}""",
            _ => $$$"""{"{{{name}}}":1,"request":{"version":"2.0"},"msgBody":{"fileName":"x"}}""",
        });

        var (answer, allocated) = ReadMeasured(json);

        Assert.Equal(CcfsResult.RequestBodyNull, answer);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for a {json.Length}-byte body");
    }

    [Theory]
    [InlineData("msgBody")]
    [InlineData("root")]
    public void A_name_repeated_past_the_member_bound_is_not_an_envelope_and_is_never_copied(string where)
    {
        var member = $"\"{new string('n', EnvelopeReader.MaxNameBytes - 6)}\":1,";
        var repeated = string.Concat(Enumerable.Repeat(member, 20_000));
        var json = Encoding.UTF8.GetBytes(where == "msgBody"
            ? $$$"""{"request":{"version":"2.0"},"msgBody":{{{{repeated}}}"fileName":"x"}}"""
            : $$$"""{{{{repeated}}}"request":{"version":"2.0"},"msgBody":{"fileName":"x"}}""");

        var (answer, allocated) = ReadMeasured(json);

        Assert.Equal(CcfsResult.RequestBodyNull, answer);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for a {json.Length}-byte body");
    }

    [Fact]
    public void A_name_at_the_bound_is_still_read()
    {
        var name = new string('n', EnvelopeReader.MaxNameBytes);
        var json = Encoding.UTF8.GetBytes($$$"""{"request":{"version":"2.0"},"msgBody":{"{{{name}}}":1,"fileName":"x"}}""");

        Assert.Null(ReadMeasured(json).Answer);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_huge_version_is_the_wrong_version_and_is_never_copied(bool escaped)
    {
        var version = escaped ? string.Concat(Enumerable.Repeat(@"\u0032", OneMegabyte / 6)) : new string('2', OneMegabyte);
        var json = Encoding.UTF8.GetBytes($$$"""{"request":{"version":"{{{version}}}"},"msgBody":{"fileName":"x"}}""");

        var (answer, allocated) = ReadMeasured(json);

        Assert.Equal(CcfsResult.Version, answer);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for a {json.Length}-byte body");
    }

    [Theory]
    [InlineData("", "0300007", "the body is empty")]
    [InlineData("[1,2]", "0300007", "the body is an array, not a JSON object")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{", "0300007", "the body is not valid JSON")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{}} x", "0300007", "the body goes on after its JSON object")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{}}{}", "0300007", "the body goes on after its JSON object")]
    [InlineData("{\"request\":{\"version\":\"2.0\"}}", "0300007", "the body has no msgBody object")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":\"{}\"}", "0300007", "msgBody is a string, not an object: was the JSON encoded twice?")]
    [InlineData("{\"request\":[],\"msgBody\":{}}", "0300007", "request is an array, not an object")]
    [InlineData("{\"request\":{\"version\":2.0},\"msgBody\":{}}", "0300006", "request.version is a number; it must be the string \"2.0\"")]
    [InlineData("{\"request\":{},\"msgBody\":{}}", "0300001", "request.version is missing or null")]
    [InlineData("{\"request\":{\"version\":\"\"},\"msgBody\":{}}", "0300002", "request.version is empty")]
    [InlineData("{\"request\":{\"version\":\"1.0\"},\"msgBody\":{}}", "0300006", "request.version is not \"2.0\"")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"fileName\":\"a\",\"fileName\":\"b\"}}", "0300004", "the property 'fileName' is given twice")]
    [InlineData("\uFEFF{\"request\":{\"version\":\"2.0\"},\"msgBody\":{}}", "0300007", "the body is not valid JSON")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"data\":\"UklG\r\nRg==\"}}", "0300007", "the body is not valid JSON")]
    public void Each_refusal_says_what_exactly_is_wrong(string body, string code, string reason)
    {
        Span<JsonValue> values = stackalloc JsonValue[1];

        var answer = EnvelopeReader.Read(Encoding.UTF8.GetBytes(body), ["fileName"], values, out var said);

        Assert.Equal(code, answer?.Code);
        Assert.StartsWith(reason, said, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\uFEFF{\"request\":{\"version\":\"2.0\"},\"msgBody\":{}}", "starts with a UTF-8 byte order mark")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"data\":\"UklG\r\nRg==\"}}", "Base64.getMimeEncoder()")]
    [InlineData("{\"request\":{\"version\":\"2.0\"},\"msgBody\":{\"data\":\"UklG\nRg==\"}}", "was the Base64 made with line breaks")]
    public void A_parse_error_integrators_often_make_names_its_likely_cause(string body, string hint)
    {
        Span<JsonValue> values = stackalloc JsonValue[1];

        EnvelopeReader.Read(Encoding.UTF8.GetBytes(body), ["data"], values, out var said);

        Assert.Contains(hint, said, StringComparison.Ordinal);
    }

    private static (CcfsResult? Answer, long Allocated) ReadMeasured(byte[] json)
    {
        var values = new JsonValue[1];
        EnvelopeReader.Read(json, ["fileName"], values, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var answer = EnvelopeReader.Read(json, ["fileName"], values, out _);
        return (answer, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
