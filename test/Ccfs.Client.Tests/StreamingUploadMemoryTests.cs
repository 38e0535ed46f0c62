using System.Net;
using System.Text;
using Ccfs.Client;
using Xunit.Abstractions;

namespace Ccfs.Client.Tests;

[CollectionDefinition(nameof(MeasuresAllocation), DisableParallelization = true)]
public sealed class MeasuresAllocation;

/// <summary>
/// A 5 MiB upload allocates a constant amount plus its buffers, not 2-3 times the file: measured as every byte the
/// process allocates during the upload (so peak managed memory is bounded by it), with nothing else running. The second
/// of two uploads is measured, so what a first upload rents from a pool is not counted.
/// </summary>
[Collection(nameof(MeasuresAllocation))]
public sealed class StreamingUploadMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int FileBytes = 5 * 1024 * 1024;
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ccfs-5mib-{Guid.NewGuid():N}.wav");

    [Fact]
    public async Task A_five_mebibyte_upload_allocates_well_under_the_size_of_the_file()
    {
        await File.WriteAllBytesAsync(_file, Samples.ALawOfSize(FileBytes));
        var sink = new DiscardingServer();
        var client = new CcfsClient(new HttpClient(sink) { BaseAddress = new Uri("http://127.0.0.1:8443") },
            new CcfsClientOptions { AccessKey = "ak", SecretKey = "sk" });
        await client.UploadAsync(_file, 1);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await client.UploadAsync(_file, 1);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(response.IsSuccess);
        Assert.Equal(sink.LastContentLength, sink.LastReceived);
        Assert.InRange(sink.LastReceived, 4L * FileBytes / 3, (4L * FileBytes / 3) + 100);
        Assert.True(allocated < 1024 * 1024, $"{allocated:N0} bytes allocated for a {FileBytes:N0}-byte upload");

        // The obvious way, for scale: the file read whole, a Base64 string, a JSON string, its UTF-8 bytes.
        before = GC.GetTotalAllocatedBytes(precise: true);
        var json = $$$"""{"request":{"version":"2.0"},"msgBody":{"data":"{{{Convert.ToBase64String(await File.ReadAllBytesAsync(_file))}}}"}}""";
        using var naive = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        var baseline = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"streaming upload: {allocated:N0} B allocated; building the body as strings: {baseline:N0} B ({(double)allocated / baseline:P2})");
    }

    [Fact]
    public async Task A_five_mebibyte_upload_from_a_stream_that_cannot_seek_allocates_at_most_about_one_copy()
    {
        await File.WriteAllBytesAsync(_file, Samples.ALawOfSize(FileBytes));
        var sink = new DiscardingServer();
        var client = new CcfsClient(new HttpClient(sink) { BaseAddress = new Uri("http://127.0.0.1:8443") },
            new CcfsClientOptions { AccessKey = "ak", SecretKey = "sk" });
        await UploadForwardOnlyAsync(client);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var response = await UploadForwardOnlyAsync(client);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(response.IsSuccess);
        Assert.Equal(UploadBody.Length(FileBytes + (FileBytes & 1)), sink.LastReceived);
        // The buffer's segments come from a pool, so this is usually far less; a MemoryStream that doubles took ~4x.
        Assert.True(allocated < FileBytes + (3 * 1024 * 1024 / 2), $"{allocated:N0} bytes allocated for a {FileBytes:N0}-byte upload");
        output.WriteLine($"upload from a stream that cannot seek: {allocated:N0} B allocated");
    }

    public void Dispose() => File.Delete(_file);

    private async Task<CcfsResponse<UploadedFile>> UploadForwardOnlyAsync(CcfsClient client)
    {
        await using var file = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return await client.UploadAsync(new ForwardOnly(file), 1);
    }

    /// <summary>A file read the way a network body is: forwards only, length unknown.</summary>
    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Reads each request body to the end without keeping it, and answers a CC-FS success.</summary>
    private sealed class DiscardingServer : HttpMessageHandler
    {
        public long LastReceived { get; private set; }

        public long? LastContentLength { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var counter = new CountingStream();
            await request.Content!.CopyToAsync(counter, cancellationToken);
            LastReceived = counter.Length;
            LastContentLength = request.Content.Headers.ContentLength;
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"resultCode":"0","resultDesc":"success","resultData":{"fileName":"Y:/3rdfile/1/thirdvoicebotfile/AAAAAAAA_1631869974029.wav","locationId":["0"]}}""",
                    Encoding.UTF8, "application/json"),
            };
        }
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
