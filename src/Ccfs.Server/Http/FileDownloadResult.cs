using Ccfs.Server.Observability;
using Microsoft.Net.Http.Headers;

namespace Ccfs.Server.Http;

/// <summary>
/// A file as downloadFile sends it (spec §1.5): the raw bytes, <c>Content-Type: Application/Octet-stream;charset=UTF-8</c>
/// spelled as documented, its length and an attachment name.
/// </summary>
public sealed class FileDownloadResult(Stream content, string fileName) : IResult
{
    public const string ContentType = "Application/Octet-stream;charset=UTF-8";

    public async Task ExecuteAsync(HttpContext http)
    {
        await using (content)
        {
            InterfaceCall.Of(http)?.ResultCode = Ccfs.Protocol.ResultCodes.Success;
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = ContentType;
            http.Response.ContentLength = content.Length;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(fileName);
            http.Response.Headers.ContentDisposition = disposition.ToString();
            await content.CopyToAsync(http.Response.Body, 64 * 1024, http.RequestAborted);
        }
    }
}
