using System.Security.Cryptography;
using Ccfs.Server.Storage;
using Ccfs.Server.Storage.S3;
using Xunit.Abstractions;

namespace Ccfs.Server.Tests.Unit.Storage.S3;

[CollectionDefinition(nameof(MeasuresAllocation), DisableParallelization = true)]
public sealed class MeasuresAllocation;

/// <summary>
/// Reads from an S3 location stream from the store: the process allocates a small, fixed amount to read an object of
/// 20 MB, not its size. Measured as every byte the process allocates, with no other test running.
/// </summary>
[Collection(nameof(MeasuresAllocation))]
public sealed class S3DownloadMemoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int ObjectBytes = 20 * 1024 * 1024;
    private const string Path = "voice/1/IVRrecordFile/long.wav";

    private TestBucket _bucket = null!;
    private S3FileStore _store = null!;
    private byte[] _content = null!;

    public async Task InitializeAsync()
    {
        var rgw = await CephRgw.SharedAsync();
        _bucket = await rgw.NewBucketAsync();
        _store = new S3FileStore("s3", new S3LocationSettings(rgw.ServiceUrl, _bucket.Name, "", rgw.AccessKey, rgw.SecretKey, "us-east-1",
            ForcePathStyle: true, TimeSpan.FromSeconds(60)), "inst01");
        _content = RandomNumberGenerator.GetBytes(ObjectBytes);
        await _store.WriteAsync(Path, _content, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _store.Dispose();
        await _bucket.DisposeAsync();
    }

    [Fact]
    public async Task Reading_the_first_bytes_of_a_20_MB_object_allocates_far_less_than_the_object()
    {
        await ReadFirstBytesAsync();

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var first = await ReadFirstBytesAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(_content.AsSpan(0, first.Length).ToArray(), first);
        output.WriteLine($"first 64 KiB of a {ObjectBytes:N0}-byte object: {allocated:N0} B allocated");
        Assert.True(allocated < 1024 * 1024, $"{allocated:N0} bytes allocated to read 64 KiB of a {ObjectBytes:N0}-byte object");
    }

    [Fact]
    public async Task Reading_a_20_MB_object_whole_allocates_far_less_than_the_object()
    {
        await using (var warm = await _store.OpenReadAsync(Path, CancellationToken.None))
        {
            await CopyDigest.ComputeAsync(warm!, HashAlgorithmName.SHA256, CancellationToken.None);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        CopyDigest digest;
        await using (var read = await _store.OpenReadAsync(Path, CancellationToken.None))
        {
            Assert.Equal(ObjectBytes, read!.Length);
            digest = await CopyDigest.ComputeAsync(read, HashAlgorithmName.SHA256, CancellationToken.None);
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(ObjectBytes, digest.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_content)), digest.Sha256);
        output.WriteLine($"a {ObjectBytes:N0}-byte object read whole: {allocated:N0} B allocated");
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated:N0} bytes allocated to read a {ObjectBytes:N0}-byte object");
    }

    private async Task<byte[]> ReadFirstBytesAsync()
    {
        await using var read = await _store.OpenReadAsync(Path, CancellationToken.None);
        Assert.Equal(ObjectBytes, read!.Length);
        var buffer = new byte[64 * 1024];
        await read.ReadExactlyAsync(buffer);
        return buffer;
    }
}
