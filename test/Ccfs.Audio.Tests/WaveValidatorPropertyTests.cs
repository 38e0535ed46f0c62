using System.Buffers.Binary;
using Ccfs.Tests;
using CsCheck;

namespace Ccfs.Audio.Tests;

/// <summary>Random and mutated bytes: the validator only ever answers, within bounded work and allocation.</summary>
public sealed class WaveValidatorPropertyTests
{
    private const WaveEncodings All = WaveEncodings.ALaw | WaveEncodings.MuLaw | WaveEncodings.Pcm8;

    private static readonly byte[][] Seeds =
    [
        .. TestData.AudioFiles("valid").Select(File.ReadAllBytes),
        .. TestData.AudioFiles("optional").Select(File.ReadAllBytes),
        .. TestData.AudioFiles("invalid").Where(f => new FileInfo(f).Length < 100_000).Select(File.ReadAllBytes),
    ];

    /// <summary>One edit of the kind that breaks parsers: a flipped byte, a lying size field, a cut, a spliced chunk.</summary>
    private static readonly Gen<Func<byte[], byte[]>> Mutation = Gen.OneOf(
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte, (at, value) => (Func<byte[], byte[]>)(b => Set(b, at, value))),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.UInt, (at, value) => (Func<byte[], byte[]>)(b => SetUInt(b, at, value))),
        Gen.Int[0, int.MaxValue].Select(at => (Func<byte[], byte[]>)(b => b[..(b.Length == 0 ? 0 : at % b.Length)])),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte.Array[0, 24], (at, junk) => (Func<byte[], byte[]>)(b => Splice(b, at, junk))));

    private static readonly Gen<byte[]> MutatedSample =
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Mutation.Array[1, 6], (seed, edits) => edits.Aggregate(Seeds[seed], (b, edit) => edit(b)));

    [Fact]
    public void Random_bytes_are_answered_never_thrown()
    {
        Gen.Byte.Array[0, 2048].Sample(bytes => AssertAnswered(bytes), iter: 20_000);
    }

    [Fact]
    public void Random_bytes_behind_a_riff_wave_header_are_answered_never_thrown()
    {
        Gen.Select(Gen.UInt, Gen.Byte.Array[0, 512]).Sample((size, rest) =>
        {
            var bytes = new byte[12 + rest.Length];
            "RIFF"u8.CopyTo(bytes);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), size);
            "WAVE"u8.CopyTo(bytes.AsSpan(8));
            rest.CopyTo(bytes, 12);
            AssertAnswered(bytes);
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_samples_are_answered_never_thrown()
    {
        MutatedSample.Sample(AssertAnswered, iter: 20_000);
    }

    [Fact]
    public void Bytes_after_the_riff_never_change_the_verdict_of_a_valid_file()
    {
        var valid = TestData.AudioFiles("valid").Select(File.ReadAllBytes).ToArray();
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte.Array[1, 64]).Sample((index, trailer) =>
        {
            var file = valid[index];
            var expected = WaveValidator.Validate(file, All);

            var result = WaveValidator.Validate([.. file, .. trailer], All);

            Assert.True(result.IsValid, result.Reason);
            Assert.Equal(expected, result);
        });
    }

    [Fact]
    public void Chunks_that_are_not_fmt_or_data_never_change_the_verdict_of_a_valid_file()
    {
        var valid = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-sine.wav"));
        Gen.Select(Gen.Int[1, 100], Gen.Int[0, 9]).Sample((count, size) =>
        {
            var extra = Enumerable.Range(0, count).SelectMany(_ => Chunk("junk", new byte[size])).ToArray();
            byte[] file = [.. valid, .. extra];
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(file.Length - 8));

            var result = WaveValidator.Validate(file);

            Assert.True(result.IsValid, result.Reason);
        });
    }

    [Fact]
    public void A_valid_file_allocates_nothing_and_a_lying_one_only_its_reason()
    {
        var valid = File.ReadAllBytes(TestData.Audio("valid", "alaw-8k-with-list-chunk.wav"));
        var lying = File.ReadAllBytes(TestData.Audio("invalid", "data-size-larger-than-file.wav"));
        WaveValidator.Validate(valid);
        WaveValidator.Validate(lying);

        var before = GC.GetAllocatedBytesForCurrentThread();
        WaveValidator.Validate(valid);
        var forValid = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        WaveValidator.Validate(lying);
        var forLying = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, forValid);
        Assert.InRange(forLying, 1, 1024);
    }

    [Fact]
    public void A_refusal_allocates_its_reason_whatever_other_threads_took_from_the_shared_pools()
    {
        // An unprintable chunk id is quoted as hex inside the reason: one formatted text within another.
        byte[] bytes = [.. "RIFF"u8, 20, 0, 0, 0, .. "WAVE"u8, .. Enumerable.Repeat((byte)1, 20)];
        WaveValidator.Validate(bytes, All);
        var undisturbed = AllocatedBy(bytes);

        var taken = TakeEverySharedCharArray();
        var disturbed = AllocatedBy(bytes);
        taken.ForEach(a => System.Buffers.ArrayPool<char>.Shared.Return(a));

        Assert.Equal(undisturbed, disturbed);
    }

    /// <summary>What another thread (a parallel test, a CsCheck worker, a gen-2 trim) can do to the shared pool between two calls.</summary>
    private static List<char[]> TakeEverySharedCharArray()
    {
        var taken = new List<char[]>();
        var thread = new Thread(() =>
        {
            foreach (var length in new[] { 256, 512, 1024, 2048 })
            {
                for (var i = 0; i < 32 * (Environment.ProcessorCount + 1); i++)
                {
                    taken.Add(System.Buffers.ArrayPool<char>.Shared.Rent(length));
                }
            }
        });
        thread.Start();
        thread.Join();
        return taken;
    }

    private static long AllocatedBy(byte[] bytes)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        WaveValidator.Validate(bytes, All);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void AssertAnswered(byte[] bytes)
    {
        // The first call pays what runs once per process (type set-up, the JIT); the second allocates only what the
        // input makes it: the validator formats its reasons on the stack, so no other thread's use of a pool shows here.
        WaveValidator.Validate(bytes, All);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = WaveValidator.Validate(bytes, All);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(result.ChunksExamined, 0, RiffReader.MaxChunks);
        Assert.True(allocated <= 1024, $"{allocated} bytes allocated for the verdict '{result.Reason}'");
        if (result.IsValid)
        {
            Assert.NotEqual(WaveEncodings.None, result.Encoding);
            Assert.InRange(result.DataLength, 1, bytes.Length);
            Assert.InRange(result.DataOffset + result.DataLength, 1, bytes.Length);
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Reason));
        }
    }

    private static byte[] Set(byte[] b, int at, byte value)
    {
        if (b.Length == 0)
        {
            return b;
        }

        var copy = (byte[])b.Clone();
        copy[at % copy.Length] = value;
        return copy;
    }

    private static byte[] SetUInt(byte[] b, int at, uint value)
    {
        if (b.Length < 4)
        {
            return b;
        }

        var copy = (byte[])b.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at % (copy.Length - 3)), value);
        return copy;
    }

    private static byte[] Splice(byte[] b, int at, byte[] junk)
    {
        var i = b.Length == 0 ? 0 : at % b.Length;
        return [.. b.AsSpan(0, i), .. junk, .. b.AsSpan(i)];
    }

    private static byte[] Chunk(string id, byte[] body)
    {
        var chunk = new byte[8 + body.Length + (body.Length & 1)];
        System.Text.Encoding.ASCII.GetBytes(id, chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)body.Length);
        body.CopyTo(chunk, 8);
        return chunk;
    }
}
