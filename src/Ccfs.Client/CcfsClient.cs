using System.Buffers;
using System.Net;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;
using Ccfs.Protocol.Wire;
using Polly;

namespace Ccfs.Client;

/// <summary>
/// A client for the four CC-FS third-party interfaces. Every request is signed with auth-v2 by Ccfs.Protocol, the
/// server's own signer. Business outcomes come back as <see cref="CcfsResponse"/> with their resultCode; 401 and
/// 403 throw <see cref="CcfsAuthenticationException"/>, a refused server certificate <see cref="CcfsCertificateException"/>. Hash, download and delete are retried on transient failures;
/// uploads are not, unless <see cref="CcfsClientOptions.RetryUploads"/> says so.
/// </summary>
public sealed class CcfsClient
{
    /// <summary>
    /// The Content-Type of every CC-FS request, sent and signed exactly as written here; <c>ccfs sign</c> defaults to
    /// it too. It is the spelling of the documentation's HTML pages. The examples' <c>application/json;charset=UTF-8</c>
    /// would not survive: any handler that enumerates the request's headers (TestServer, header logging) re-spells it
    /// with the space, and the signature over the old spelling then fails.
    /// </summary>
    public const string RequestContentType = "application/json; charset=UTF-8";

    private readonly HttpClient _http;
    private readonly CcfsClientOptions _options;
    private readonly AccessKeyCredential _credential;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ResiliencePipeline<HttpResponseMessage> _uploadRetry;
    private readonly ResiliencePipeline<HttpResponseMessage> _downloadRetry;
    private readonly ResiliencePipeline<HttpResponseMessage> _attemptTimeout;

    public CcfsClient(HttpClient http, CcfsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (http.BaseAddress is null && options.Endpoint is null)
        {
            throw new ArgumentException("Set CcfsClientOptions.Endpoint or the HttpClient's BaseAddress", nameof(options));
        }

        _http = http;
        _options = options;
        _credential = new AccessKeyCredential(options.AccessKey, options.SecretKey);
        _retry = TransientRetry.Build(options);
        _uploadRetry = options.RetryUploads ? _retry : ResiliencePipeline<HttpResponseMessage>.Empty;
        _downloadRetry = TransientRetry.Build(options, limitEachAttempt: false);
        _attemptTimeout = TransientRetry.AttemptTimeout(options);
    }

    /// <summary>
    /// A client with its own HttpClient on <see cref="CcfsHttpHandler.Create"/>; keep it for the application's lifetime,
    /// as an HttpClient is meant to be kept. <c>new CcfsClient(CcfsClientOptions.Development())</c> talks to the local
    /// development server.
    /// </summary>
    public CcfsClient(CcfsClientOptions options)
        : this(new HttpClient(CcfsHttpHandler.Create(options ?? throw new ArgumentNullException(nameof(options)))), options)
    {
    }

    private Uri BaseAddress => _http.BaseAddress ?? _options.Endpoint!;

    /// <summary>Uploads a WAV file; the answer holds the name the IVR plays.</summary>
    public async Task<CcfsResponse<UploadedFile>> UploadAsync(string path, int vdnId, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return await UploadAsync(file, vdnId, cancellationToken);
    }

    /// <summary>
    /// Uploads a WAV from its current position to its end. A seekable stream is read twice, once to sign and once to
    /// send, so memory stays constant whatever its size; any other stream is buffered first, up to
    /// <see cref="CcfsClientOptions.MaxBufferedUploadBytes"/>.
    /// </summary>
    public async Task<CcfsResponse<UploadedFile>> UploadAsync(Stream wav, int vdnId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(wav);
        await using var buffered = wav.CanSeek ? null : await SegmentedBuffer.ReadAsync(wav, _options.MaxBufferedUploadBytes, cancellationToken);
        var file = buffered ?? wav;
        var start = file.Position;
        var bodyLength = UploadBody.Length(file.Length - start);
        var unanswered = new UnansweredAttempts();
        using var response = await _uploadRetry.ExecuteAsync(async token => await unanswered.SendAsync(async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Absolute($"{CcfsPaths.UploadFile}?vdnId={vdnId}"))
            {
                Content = new UploadContent(file, start, bodyLength),
            };
            SetContentType(request.Content, RequestContentType);
            request.Content.Headers.ContentLength = bodyLength;
            using var signing = BeginSigning(request, bodyLength);
            var sink = new SigningStream(signing);
            file.Position = start;
            await UploadBody.WriteAsync(file, sink, token);
            if (sink.Written != bodyLength)
            {
                throw new InvalidOperationException($"the upload body was {sink.Written} bytes, {bodyLength} were announced");
            }

            request.Headers.TryAddWithoutValidation("Authorization", signing.Complete());
            return await SendCcfsAsync(request, whole: true, token);
        }, cancellationToken), cancellationToken);
        var promptCheck = PromptCheckLine.TryParse(response.Headers.TryGetValues(PromptCheckLine.HeaderName, out var line) ? line.FirstOrDefault() : null);
        var answer = await AnswerReader.ReadAsync(response, data => new UploadedFile(
            AnswerReader.Text(data, WireNames.FileName) ?? throw new CcfsRequestException((int)response.StatusCode, null, null,
                "uploadFile answered resultCode 0 without a resultData.fileName: the file may be stored under a name this client cannot know"),
            AnswerReader.Texts(data, WireNames.LocationId),
            promptCheck),
            cancellationToken);
        return answer with { LostAnswers = unanswered.BeforeLast, PromptCheck = promptCheck };
    }

    /// <summary>Deletes an uploaded file from every location, or from <paramref name="locationId"/> only.</summary>
    public async Task<CcfsResponse> DeleteAsync(string fileName, string? locationId = null, CancellationToken cancellationToken = default)
    {
        var (response, lost) = await SendJsonAsync(CcfsPaths.DeleteFile,
            w => WritePath(w, WireNames.FileName, fileName, WireNames.LocationId, locationId), cancellationToken);
        using (response)
        {
            return await AnswerReader.ReadAsync<FileHash>(response, _ => null, cancellationToken) with { LostAnswers = lost };
        }
    }

    /// <summary>
    /// The digest of the bytes stored in a location (the first that holds the file, if none is named). CC-FS does not
    /// document the digest's field, so <see cref="FileHash.Hash"/> is null when the answer has no
    /// <see cref="CcfsClientOptions.HashField"/>.
    /// </summary>
    public async Task<CcfsResponse<FileHash>> GetFileHashAsync(string fileName, string? locationId = null,
        CancellationToken cancellationToken = default)
    {
        var (response, lost) = await SendJsonAsync(CcfsPaths.GetFileHash,
            w => WritePath(w, WireNames.FileName, fileName, WireNames.LocationId, locationId), cancellationToken);
        using (response)
        {
            var answer = await AnswerReader.ReadAsync(response, data => new FileHash(
                AnswerReader.Text(data, WireNames.FileName) ?? fileName, AnswerReader.Text(data, _options.HashField)), cancellationToken);
            return answer with { LostAnswers = lost };
        }
    }

    /// <summary>
    /// Downloads a file into <paramref name="destination"/>; with <paramref name="folder"/> the path names a folder that
    /// must hold exactly one file (CC-FS <c>mode</c> 1). Nothing is written to the destination unless the answer is a file
    /// (200 with Application/Octet-stream or audio/*, a body neither empty nor JSON); a resultCode 0 without one, or an answer from outside CC-FS, throws <see cref="CcfsRequestException"/>.
    /// A file whose body breaks off is downloaded again when <paramref name="destination"/> can seek: what the broken
    /// attempt wrote is cut off first, so the destination ends up holding the file once.
    /// </summary>
    public async Task<CcfsResponse<DownloadedFile>> DownloadAsync(string filePath, Stream destination, bool folder = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var body = JsonBody(writer =>
        {
            writer.WriteString(WireNames.FilePath, filePath);
            if (folder)
            {
                writer.WriteNumber(WireNames.Mode, 1);
            }
        });
        long? start = destination.CanSeek ? destination.Position : null;
        var unanswered = new UnansweredAttempts();
        FileStart? file = null;
        var written = 0L;
        using var response = await CutBackOnFailureAsync(destination, start, () => _downloadRetry.ExecuteAsync(async token => await unanswered.SendAsync(async () =>
        {
            if (start is { } at && destination.Position != at)
            {
                destination.SetLength(at);
                destination.Position = at;
            }

            file = null;
            var answer = await _attemptTimeout.ExecuteAsync(async limited =>
            {
                var sent = await SendJsonOnceAsync(CcfsPaths.DownloadFile, body, whole: false, limited);
                try
                {
                    file = await DownloadAnswer.OpenAsync(sent, _options.AttemptTimeout, limited);
                }
                catch
                {
                    sent.Dispose();
                    throw;
                }

                return sent;
            }, token);
            if (file is { } opened)
            {
                try
                {
                    written = await FileBody.CopyAsync(opened, destination, _options.AttemptTimeout, retried: start is not null,
                        _options.MaxDownloadBytes, _options.MinDownloadBytesPerSecond, _options.TimeProvider, token);
                }
                catch (Exception e)
                {
                    answer.Dispose();
                    if (e is IOException && start is not null && !token.IsCancellationRequested)
                    {
                        throw new HttpRequestException(HttpRequestError.ResponseEnded, "the connection broke before the whole file came", e);
                    }

                    throw;
                }
            }

            return answer;
        }, cancellationToken), cancellationToken));
        if (file is not null)
        {
            var disposition = response.Content.Headers.ContentDisposition;
            var name = disposition?.FileNameStar ?? disposition?.FileName?.Trim('"');
            return new CcfsResponse<DownloadedFile>(ResultCodes.Success, "success", null, new DownloadedFile(name, written))
            {
                LostAnswers = unanswered.BeforeLast,
            };
        }

        var refusal = await AnswerReader.ReadAsync<DownloadedFile>(response, _ => throw new CcfsRequestException((int)response.StatusCode, null, null,
            "downloadFile answered resultCode 0 without the file (a CC-FS answer, not a file's body): nothing was written"), cancellationToken);
        return refusal with { LostAnswers = unanswered.BeforeLast };
    }

    /// <summary>A download that failed takes back what its last attempt wrote, when the destination can seek back.</summary>
    private static async Task<HttpResponseMessage> CutBackOnFailureAsync(Stream destination, long? start, Func<ValueTask<HttpResponseMessage>> download)
    {
        try
        {
            return await download();
        }
        catch when (start is { } at && destination.CanSeek)
        {
            destination.SetLength(at);
            throw;
        }
    }

    /// <summary>
    /// Signs and sends any request, such as one to ccfs's administration API (<c>/admin/api/…</c>), and returns the
    /// raw response; nothing is retried or interpreted. A request without a body signs only <c>host</c>.
    /// </summary>
    public async Task<HttpResponseMessage> SendSignedAsync(HttpMethod method, string pathAndQuery, ReadOnlyMemory<byte>? body = null,
        string contentType = "application/json", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var request = new HttpRequestMessage(method, Absolute(pathAndQuery));
        IReadOnlyList<string> signedHeaders = ["host"];
        if (body is { } content)
        {
            request.Content = new ReadOnlyMemoryContent(content);
            SetContentType(request.Content, contentType);
            signedHeaders = _options.SignedHeaders;
        }

        using (var signing = BeginSigning(request, body?.Length ?? 0, signedHeaders))
        {
            if (body is { } bytes)
            {
                signing.AppendBody(bytes.Span);
            }

            request.Headers.TryAddWithoutValidation("Authorization", signing.Complete());
        }

        return await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    /// <summary>
    /// Signs and sends a small JSON request, retrying on transient failures with a fresh signature each time; with the
    /// answer, how many attempts before it went unanswered.
    /// </summary>
    private async Task<(HttpResponseMessage Response, int LostAnswers)> SendJsonAsync(string path, Action<Utf8JsonWriter> writeMsgBody,
        CancellationToken cancellationToken)
    {
        var bytes = JsonBody(writeMsgBody);
        var unanswered = new UnansweredAttempts();
        var response = await _retry.ExecuteAsync(
            // The caller's token, not the attempt's: an attempt out of time went unanswered, and counts.
            token => new ValueTask<HttpResponseMessage>(unanswered.SendAsync(
                () => SendJsonOnceAsync(path, bytes, whole: true, token), cancellationToken)),
            cancellationToken);
        return (response, unanswered.BeforeLast);
    }

    /// <summary>A CC-FS request body: the version, then the message body <paramref name="writeMsgBody"/> writes.</summary>
    private static byte[] JsonBody(Action<Utf8JsonWriter> writeMsgBody)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(WireNames.Request);
            writer.WriteString(WireNames.Version, CcfsResult.CurrentVersion);
            writer.WriteEndObject();
            writer.WriteStartObject(WireNames.MsgBody);
            writeMsgBody(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return body.WrittenMemory.ToArray();
    }

    /// <summary>One attempt: signed afresh, since a signature holds its time.</summary>
    /// <param name="whole">Read the answer's body too (<see cref="SendCcfsAsync"/>); false leaves it to the caller.</param>
    private async Task<HttpResponseMessage> SendJsonOnceAsync(string path, byte[] bytes, bool whole, CancellationToken token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Absolute(path)) { Content = new ByteArrayContent(bytes) };
        SetContentType(request.Content, RequestContentType);
        using (var signing = BeginSigning(request, bytes.Length))
        {
            signing.AppendBody(bytes);
            request.Headers.TryAddWithoutValidation("Authorization", signing.Complete());
        }

        return await SendCcfsAsync(request, whole, token);
    }

    /// <summary>
    /// Sends one of the CC-FS interfaces' requests; an answer from anywhere but the endpoint is refused. With
    /// <paramref name="whole"/> the answer's body is read too, bounded (<see cref="AnswerBody"/>): an HttpClient's own
    /// buffering would take up to 2 GiB, and its Timeout no longer counts once the headers came.
    /// </summary>
    private async Task<HttpResponseMessage> SendCcfsAsync(HttpRequestMessage request, bool whole, CancellationToken token)
    {
        var sentTo = request.RequestUri!;
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        try
        {
            if (Redirects.Refusal(response, sentTo) is { } redirected)
            {
                throw redirected;
            }

            if (whole)
            {
                await AnswerBody.LoadAsync(response, _options.AttemptTimeout, token);
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Sends, and turns a refused server certificate into a <see cref="CcfsCertificateException"/> that says what to do.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e) when (ServerCertificateCheck.Rejection(e, request.RequestUri) is { } refused)
        {
            throw refused;
        }
    }

    private static void WritePath(Utf8JsonWriter writer, string pathField, string path, string locationField, string? locationId)
    {
        writer.WriteString(pathField, path);
        if (!string.IsNullOrEmpty(locationId))
        {
            writer.WriteString(locationField, locationId);
        }
    }

    /// <summary>Signs what will be sent: the raw path and query, and each signed header's exact value.</summary>
    private AuthV2Signing BeginSigning(HttpRequestMessage request, long contentLength, IReadOnlyList<string>? signedHeaders = null)
    {
        var uri = request.RequestUri!;
        var headers = (signedHeaders ?? _options.SignedHeaders).Select(name => new KeyValuePair<string, string>(name, name.ToLowerInvariant() switch
        {
            "host" => uri.Authority,
            "content-length" => contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "content-type" => request.Content!.Headers.NonValidated["Content-Type"].ToString(),
            _ => request.Headers.TryGetValues(name, out var values) ? string.Join(',', values)
                : throw new InvalidOperationException($"the request has no '{name}' header to sign"),
        })).ToArray();
        request.Headers.Host = uri.Authority;
        var toSign = new RequestToSign
        {
            Method = request.Method.Method,
            Path = uri.AbsolutePath,
            Query = FormQuery.Parse(uri.Query),
            Headers = headers,
        };
        var timestamp = AuthV2Timestamp.Format(_options.TimeProvider.GetUtcNow(), _options.MillisecondTimestamps);
        return AuthV2Signer.Begin(toSign, _credential, timestamp);
    }

    /// <summary>Sets Content-Type as written: the typed setter would re-spell it, and the signature covers the exact text.</summary>
    private static void SetContentType(HttpContent content, string contentType)
    {
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
    }

    private Uri Absolute(string pathAndQuery) => new(BaseAddress, pathAndQuery);
}
