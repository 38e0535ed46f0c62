using System.Net;

namespace Ccfs.Client;

/// <summary>
/// What a downloadFile answer is. CC-FS sends a file as 200 with <c>Application/Octet-stream;charset=UTF-8</c> (spec
/// §1.5), and a gateway may name a WAV <c>audio/*</c>; anything else (no type, JSON, a proxy's HTML page) is an answer
/// to read. So is a body of such a type that is empty or starts with <c>{</c>: no WAV or recording does either, a JSON
/// answer sent with the file's type does.
/// </summary>
internal static class DownloadAnswer
{
    /// <summary>
    /// The file's body and its first bytes, read within the attempt's time; null when the answer is not a file, its body
    /// then read whole (<see cref="AnswerBody"/>) for <see cref="AnswerReader"/>.
    /// </summary>
    public static async Task<FileStart?> OpenAsync(HttpResponseMessage answer, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!MayBeFile(answer))
        {
            await AnswerBody.LoadAsync(answer, limit, cancellationToken);
            return null;
        }

        var body = await answer.Content.ReadAsStreamAsync(cancellationToken);
        var first = new byte[64 * 1024];
        int read;
        try
        {
            read = await body.ReadAsync(first, cancellationToken);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing is written yet, so the attempt can always be sent again: say so as the retry understands it.
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "the connection broke before the file's first bytes came", e);
        }

        if (read > 0 && first[0] != (byte)'{')
        {
            return new FileStart(body, first.AsMemory(0, read), answer.Content.Headers.ContentLength);
        }

        await AnswerBody.LoadAsync(answer, limit, cancellationToken, body, first.AsMemory(0, read));
        return null;
    }

    private static bool MayBeFile(HttpResponseMessage answer) =>
        answer.StatusCode == HttpStatusCode.OK && answer.Content.Headers.ContentType?.MediaType is { } type
        && (type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) || type.StartsWith("audio/", StringComparison.OrdinalIgnoreCase));
}

/// <summary>A file answer's body, the bytes of it already read to tell it from a JSON answer, and its Content-Length.</summary>
internal sealed record FileStart(Stream Body, ReadOnlyMemory<byte> First, long? Length);
