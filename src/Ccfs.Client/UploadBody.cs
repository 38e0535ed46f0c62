using System.Buffers;
using System.Text.Json;
using Ccfs.Protocol.Wire;

namespace Ccfs.Client;

/// <summary>
/// Writes an upload's body, <c>{"request":{"version":"2.0"},"msgBody":{"data":"&lt;Base64&gt;"}}</c>, straight from the
/// file with <see cref="Utf8JsonWriter.WriteBase64StringSegment"/>: no string of the body or of the Base64 text ever
/// exists. The same writer runs twice, once into the signature and once onto the wire, so both see the same bytes.
/// </summary>
internal static class UploadBody
{
    private const int ChunkSize = 48 * 1024;
    private const int FlushThreshold = 64 * 1024;

    /// <summary>The body with an empty <c>data</c>; Base64 adds 4 characters per 3 bytes (or part) to it.</summary>
    private static readonly int EnvelopeLength = Measure();

    public static long Length(long fileLength) => EnvelopeLength + ((fileLength + 2) / 3 * 4);

    /// <summary>Writes the body for what <paramref name="file"/> holds from its position to its end.</summary>
    public static async Task WriteAsync(Stream file, Stream destination, CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var writer = new Utf8JsonWriter(destination);
            WriteStart(writer);
            int read;
            while ((read = await file.ReadAsync(chunk.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                writer.WriteBase64StringSegment(chunk.AsSpan(0, read), isFinalSegment: false);
                if (writer.BytesPending >= FlushThreshold)
                {
                    await writer.FlushAsync(cancellationToken);
                }
            }

            WriteEnd(writer);
            await writer.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void WriteStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject(WireNames.Request);
        writer.WriteString(WireNames.Version, "2.0");
        writer.WriteEndObject();
        writer.WriteStartObject(WireNames.MsgBody);
        writer.WritePropertyName(WireNames.Data);
    }

    private static void WriteEnd(Utf8JsonWriter writer)
    {
        writer.WriteBase64StringSegment([], isFinalSegment: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static int Measure()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteStart(writer);
            WriteEnd(writer);
        }

        return buffer.WrittenCount;
    }
}
