using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Ccfs.Protocol.Auth;

namespace Ccfs.Benchmarks;

/// <summary>
/// The two halves of verifying an upload's signature: percent-encoding the body and HMAC-ing the result.
/// <see cref="ByteByByte"/> is the obvious table-driven encoder, the baseline of the ratio.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class PercentEncodingBenchmarks
{
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();
    private static readonly bool[] IsUnreserved = Enumerable.Range(0, 256)
        .Select(b => char.IsAsciiLetterOrDigit((char)b) || b is '-' or '.' or '_' or '~').ToArray();

    private byte[] _body = null!;
    private byte[] _encoded = null!;
    private byte[] _key = null!;

    [Params(5 * 1024 * 1024)]
    public int FileBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = new UploadFixture(FileBytes).Body;
        _encoded = new byte[_body.Length * 3];
        _key = new byte[64];
    }

    [Benchmark(Baseline = true)]
    public int ByteByByte()
    {
        var written = 0;
        foreach (var b in _body)
        {
            if (IsUnreserved[b])
            {
                _encoded[written++] = b;
            }
            else
            {
                _encoded[written] = (byte)'%';
                _encoded[written + 1] = Hex[b >> 4];
                _encoded[written + 2] = Hex[b & 0xF];
                written += 3;
            }
        }

        return written;
    }

    [Benchmark]
    public int Vectorised()
    {
        PercentEncoding.Encode(_body, _encoded, out _, out var written);
        return written;
    }

    [Benchmark]
    public int VectorisedIn8KChunks()
    {
        Span<byte> chunk = stackalloc byte[8192];
        var rest = new ReadOnlySpan<byte>(_body);
        var total = 0;
        while (!rest.IsEmpty)
        {
            PercentEncoding.Encode(rest, chunk, out var consumed, out var written);
            rest = rest[consumed..];
            total += written;
        }

        return total;
    }

    [Benchmark]
    public int HmacOfTheBody() => HMACSHA256.HashData(_key, _body)[0];
}
