using System.Text;
using Ccfs.Protocol.Auth;

namespace Ccfs.Protocol.Tests;

public sealed class AuthV2SignerTests
{
    public static TheoryData<string> VectorNames() => [.. AuthV2VectorFile.Vectors.Select(v => v.Name)];

    [Fact]
    public void The_vector_file_holds_the_seven_vectors_of_the_spec()
    {
        Assert.Equal(["V1", "V2", "V3", "V4", "V5", "V6", "V7"], AuthV2VectorFile.Vectors.Select(v => v.Name));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Signing_key_matches_the_vector(string name)
    {
        var v = AuthV2VectorFile.Named(name);
        var prefix = SigningKey.Prefix(v.AccessKey, v.Timestamp, CanonicalRequest.SignedHeaderList(v.SignedHeaders.Keys));

        Assert.Equal(v.SigningKey, SigningKey.Derive(v.SecretKey, prefix));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Canonical_request_matches_the_vector_byte_for_byte(string name)
    {
        var v = AuthV2VectorFile.Named(name);
        using var signing = AuthV2Signer.Begin(ToRequest(v), new(v.AccessKey, v.SecretKey), v.Timestamp);

        Assert.Equal(v.CanonicalRequest, CanonicalRequest.Build(signing.CanonicalHead, Encoding.UTF8.GetBytes(v.Body)));
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Authorization_matches_the_vector(string name)
    {
        var v = AuthV2VectorFile.Named(name);

        var authorization = AuthV2Signer.Sign(ToRequest(v), new(v.AccessKey, v.SecretKey), v.Timestamp, Encoding.UTF8.GetBytes(v.Body));

        Assert.Equal(v.Authorization, authorization);
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void A_body_fed_in_pieces_signs_like_the_whole_body(string name)
    {
        var v = AuthV2VectorFile.Named(name);
        var body = Encoding.UTF8.GetBytes(v.Body);

        using var signing = AuthV2Signer.Begin(ToRequest(v), new(v.AccessKey, v.SecretKey), v.Timestamp);
        for (var i = 0; i < body.Length; i += 7)
        {
            signing.AppendBody(body.AsSpan(i, Math.Min(7, body.Length - i)));
        }

        Assert.Equal(v.Authorization, signing.Complete());
    }

    [Fact]
    public void Signed_header_names_are_sorted_as_given_then_lower_cased()
    {
        // Java's TreeSet orders the original keys: upper-case letters sort before lower-case ones.
        Assert.Equal("x-b;host", CanonicalRequest.SignedHeaderList(["host", "X-B"]));
        Assert.Equal("content-length;content-type;host", CanonicalRequest.SignedHeaderList(["host", "content-type", "content-length"]));
    }

    [Fact]
    public void An_empty_query_leaves_the_query_line_out()
    {
        Assert.Null(CanonicalRequest.Query([]));
        Assert.Equal("a=&b=x%20y", CanonicalRequest.Query([new("b", "x y"), new("a", "")]));
    }

    [Fact]
    public void Timestamps_format_with_or_without_milliseconds()
    {
        var t = new DateTimeOffset(2021, 8, 31, 9, 38, 50, 872, TimeSpan.Zero);

        Assert.Equal("2021-08-31T09:38:50.872Z", AuthV2Timestamp.Format(t));
        Assert.Equal("2021-08-31T09:38:50Z", AuthV2Timestamp.Format(t, milliseconds: false));
        Assert.Equal("2021-08-31T09:38:50.872Z", AuthV2Timestamp.Format(t.ToOffset(TimeSpan.FromHours(8))));
    }

    internal static RequestToSign ToRequest(AuthV2Vector v) => new()
    {
        Method = v.Method,
        Path = v.Path,
        Query = [.. v.Query],
        Headers = [.. v.SignedHeaders],
    };
}
