namespace Ccfs.Client;

/// <summary>The upload body, written onto the wire from the file as the request is sent.</summary>
internal sealed class UploadContent(Stream file, long start, long bodyLength) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context,
        CancellationToken cancellationToken)
    {
        file.Position = start;
        await UploadBody.WriteAsync(file, stream, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bodyLength;
        return true;
    }
}
