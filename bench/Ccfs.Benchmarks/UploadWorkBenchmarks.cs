using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Ccfs.Audio;
using Ccfs.Protocol.Auth;
using Ccfs.Server.Http;

namespace Ccfs.Benchmarks;

/// <summary>
/// The CPU work of one upload on the server, step by step and whole: verify the signature over the body, read the
/// envelope, decode the Base64 in place, validate the RIFF, hash the file. <see cref="StringBaseline"/> does the same
/// work the obvious way (strings, <c>JsonDocument</c>, <c>Convert.FromBase64String</c>) as the ratio's baseline.
/// Every in-place variant first restores the body, so <see cref="CopyBody"/> is part of each figure.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class UploadWorkBenchmarks
{
    private UploadFixture _fixture = null!;
    private AuthV2Verifier _verifier = null!;
    private byte[] _body = null!;

    [Params(100 * 1024, 5 * 1024 * 1024)]
    public int FileBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new UploadFixture(FileBytes);
        _verifier = new AuthV2Verifier(new AuthV2VerifierOptions(), new FixedTime(UploadFixture.SignedAt));
        _body = new byte[_fixture.Body.Length];
        if (ServerSideWork() != FileBytes || StringBaseline() != FileBytes)
        {
            throw new InvalidOperationException("the benchmark does not do what it claims");
        }
    }

    [Benchmark(Baseline = true)]
    public int StringBaseline()
    {
        var text = Encoding.UTF8.GetString(_fixture.Body);
        var canonical = new StringBuilder(CanonicalHead(), text.Length * 2);
        foreach (var b in _fixture.Body)
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                canonical.Append(c);
            }
            else
            {
                canonical.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        var key = SigningKey.Derive(UploadFixture.Credential.SecretKey, _fixture.Header.AuthStringPrefix);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(canonical.ToString())));
        if (signature != _fixture.Header.Signature)
        {
            throw new InvalidOperationException("baseline signature mismatch");
        }

        using var json = JsonDocument.Parse(text);
        var file = Convert.FromBase64String(json.RootElement.GetProperty("msgBody").GetProperty("data").GetString()!);
        if (!WaveValidator.Validate(file).IsValid)
        {
            throw new InvalidOperationException("invalid");
        }

        _ = Convert.ToHexStringLower(SHA256.HashData(file));
        return file.Length;
    }

    [Benchmark]
    public int ServerSideWork()
    {
        CopyBody();
        if (!Verify())
        {
            throw new InvalidOperationException("signature mismatch");
        }

        Span<JsonValue> fields = stackalloc JsonValue[1];
        if (EnvelopeReader.Read(_body, ["data"], fields, out _) is not null
            || !Base64Data.TryDecodeInPlace(_body, fields[0], ArrayPool<byte>.Shared, out var start, out var length, out _))
        {
            throw new InvalidOperationException("bad envelope");
        }

        var file = _body.AsSpan(start, length);
        if (!WaveValidator.Validate(file).IsValid)
        {
            throw new InvalidOperationException("invalid");
        }

        _ = Convert.ToHexStringLower(SHA256.HashData(file));
        return length;
    }

    [Benchmark]
    public void CopyBody() => _fixture.Body.CopyTo(_body, 0);

    [Benchmark]
    public bool Verify() => _verifier.Verify(_fixture.Header, [UploadFixture.Credential.SecretKey], _fixture.Request, _fixture.Body).Succeeded;

    [Benchmark]
    public int DecodeInPlace()
    {
        CopyBody();
        Span<JsonValue> fields = stackalloc JsonValue[1];
        EnvelopeReader.Read(_body, ["data"], fields, out _);
        Base64Data.TryDecodeInPlace(_body, fields[0], ArrayPool<byte>.Shared, out _, out var length, out _);
        return length;
    }

    [Benchmark]
    public bool Validate() => WaveValidator.Validate(_fixture.File).IsValid;

    [Benchmark]
    public int Sha256() => SHA256.HashData(_fixture.File)[0];

    private string CanonicalHead() => CanonicalRequest.Head("POST", _fixture.Request.RawPath, CanonicalRequest.Query(_fixture.Query),
        _fixture.Header.SignedHeaders, CanonicalRequest.Headers(_fixture.Header.SignedHeaderNames
            .Select(n => new KeyValuePair<string, string>(n, _fixture.Request.GetHeader(n)!))));
}
