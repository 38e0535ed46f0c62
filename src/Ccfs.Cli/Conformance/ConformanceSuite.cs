using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Cli.Conformance;

public enum CheckStatus
{
    Pass,
    Fail,
    NotApplicable,
}

/// <summary>One line of the report.</summary>
public sealed record CheckResult(string Name, CheckStatus Status, TimeSpan Duration, string? Error)
{
    public string ToJson() => JsonSerializer.Serialize(new
    {
        name = Name,
        status = Status switch { CheckStatus.Pass => "PASS", CheckStatus.Fail => "FAIL", _ => "NA" },
        duration = Math.Round(Duration.TotalMilliseconds, 1),
        error = Error,
    }, ConsoleJson.Plain);
}

/// <summary>
/// A black-box suite for any CC-FS-compatible endpoint: each interface, each error code, the auth failures and
/// hostile paths. <c>core</c> holds what the documentation states, and error codes whose documented text names the
/// situation exactly; where the spec only judges (a code it chose, a behaviour it lists alternatives for), core
/// accepts every alternative or leaves the check to <c>full</c>, which tests ccfs's judgements too. Checks run in
/// order and share the prompt the first one uploads.
/// </summary>
/// <param name="uploadLimitBytes">The endpoint's upload size parameter, for the too-large check.</param>
public sealed partial class ConformanceSuite(ConformanceRequests requests, int vdn, int otherVdn, long uploadLimitBytes = 5 * 1024 * 1024)
{
    private readonly byte[] _prompt = ConformanceAudio.Prompt();
    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private string? _stored;

    public IReadOnlyList<(string Name, bool Core, Func<Task> Run)> Checks =>
    [
        ("upload.stores-a-prompt", true, UploadStoresAPromptAsync),
        ("upload.name-shape", false, NameShapeAsync),
        ("upload.alias-path", false, () => ExpectSuccessAsync(requests.PostAsync($"{CcfsPaths.UploadAlias}?vdnId={vdn}", PromptBody()), cleanUp: true)),
        ("hash.of-the-stored-bytes", true, HashOfTheStoredBytesAsync),
        ("download.returns-the-stored-bytes", true, DownloadReturnsTheStoredBytesAsync),
        ("download.content-type-octet-stream", true, DownloadContentTypeAsync),
        ("download.backslash-separators", false, DownloadWithBackslashesAsync),
        ("download.folder-with-two-files-0300004", false, FolderWithTwoFilesAsync),
        ("download.folder-without-files-0300011", false, () => Expect.AnswerAsync(DownloadAsync(EmptyFolder, folder: true), 200, ResultCodes.FileNotFound)),
        ("delete.removes-the-file", true, DeleteRemovesTheFileAsync),
        ("delete.missing-file-0300011", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName(Missing)), 200, ResultCodes.FileNotFound)),
        ("hash.missing-file-0300011", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Missing)), 200, ResultCodes.FileNotFound)),
        ("download.missing-file-0300011", true, () => Expect.AnswerAsync(DownloadAsync(Missing), 200, ResultCodes.FileNotFound)),
        ("upload.too-large-0300003", false, () => Expect.AnswerAsync(requests.UploadAsync(ConformanceAudio.Silence(uploadLimitBytes + 1), vdn),
            200, ResultCodes.ValueTooLong)),
        ("upload.16khz-0300004", false, () => Expect.AnswerAsync(requests.UploadAsync(ConformanceAudio.Retimed(_prompt, 16000), vdn),
            200, ResultCodes.ValueFormat)),
        ("upload.not-wav-0300004", false, () => Expect.AnswerAsync(requests.UploadAsync("not a wave file at all"u8.ToArray(), vdn), 200, ResultCodes.ValueFormat)),
        ("upload.not-base64-0300004", false, () => Expect.AnswerAsync(Upload(ConformanceRequests.MsgBody(("data", "@@@@"))), 200, ResultCodes.ValueFormat)),
        ("upload.empty-data-0300002", true, () => Expect.AnswerAsync(Upload(ConformanceRequests.MsgBody(("data", ""))), 200, ResultCodes.ValueEmpty)),
        ("upload.missing-data-0300001", true, () => Expect.AnswerAsync(Upload("{}"), 200, ResultCodes.ValueNull)),
        ("upload.vdnId-missing-0300001", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.UploadFile, PromptBody()), 200, ResultCodes.ValueNull)),
        ("upload.vdnId-not-a-number-0300004", true, () => Expect.AnswerAsync(requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId=abc", PromptBody()),
            200, ResultCodes.ValueFormat)),
        ("envelope.not-json-0300007", true, () => Expect.AnswerAsync(requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", "not json"u8.ToArray()),
            200, ResultCodes.RequestBodyNull)),
        // The spec's table allows 0300001 naming msgBody as well as 0300007.
        ("envelope.no-msgBody-0300007", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile, """{"request":{"version":"2.0"}}"""u8.ToArray()),
            200, ResultCodes.RequestBodyNull, ResultCodes.ValueNull)),
        ("envelope.version-missing-0300001", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", Missing)), version: null)), 200, ResultCodes.ValueNull)),
        ("envelope.wrong-version-0300006", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", Missing)), "1.0")), 200, ResultCodes.VersionError)),
        ("delete.fileName-empty-0300002", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName("")), 200, ResultCodes.ValueEmpty)),
        ("download.filePath-missing-0300001", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DownloadFile, ConformanceRequests.Envelope("{}")),
            200, ResultCodes.ValueNull)),
        ("auth.unbound-vdn-401", true, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, otherVdn), 401)),
        ("path.other-tenant-401", true, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"{Drive}/3rdfile/{otherVdn}/thirdvoicebotfile/AAAAAAAA_1631869974029.wav")), 401)),
        .. Hostile("path.hash-dotdot", () => requests.PostAsync(CcfsPaths.GetFileHash, FileName($"{Folder}/../../../../etc/passwd"))),
        .. Hostile("path.download-dotdot", () => DownloadAsync($"{Folder}/../../../../etc/passwd")),
        .. Hostile("path.download-backslash-dotdot", () => DownloadAsync($"{Folder}/../../../../etc/passwd".Replace('/', '\\'))),
        // A server that ends the path at NUL would send the stored prompt.
        .. Hostile("path.download-nul", () => DownloadAsync($"{_stored ?? Missing}\0.txt")),
        .. Hostile("path.outside-the-rule", () => DownloadAsync($"{Drive}/elsewhere/{vdn}/x.wav")),
        ("path.encoded-separator-0300004", false, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"{Folder}/..%2f..%2fx.wav")), 200, ResultCodes.ValueFormat)),
        ("path.other-drive-0300004", false, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"C:/3rdfile/{vdn}/thirdvoicebotfile/AAAAAAAA_1631869974029.wav")), 200, ResultCodes.ValueFormat)),
        ("delete.unknown-location-0300004", false, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", Missing), ("locationId", "no-such-location")))), 200, ResultCodes.ValueFormat)),
        ("envelope.duplicate-property-0300004", false, () => Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope($$"""{"fileName":"{{Missing}}","fileName":"{{Missing}}"}""")), 200, ResultCodes.ValueFormat)),
        ("http.unknown-path-404", false, () => Expect.AnswerAsync(requests.PostAsync("/CCFS/resource/ccfs/ivr/noSuchInterface", PromptBody()), 404)),
        // Deliberately bad signatures come last: an endpoint counts them towards its IP lock (CC-FS locks an address after
        // 10 within 5 minutes), so a lock they bring about can only cut short the checks that caused it.
        ("auth.no-signature-401", true, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn, new Signing { Authorization = _ => null }), 401)),
        ("auth.wrong-secret-401", true, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn, new Signing { SecretKey = "not-the-secret-key" }), 401)),
        ("auth.tampered-body-401", true, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn,
            new Signing { SignedBody = PromptBody(ConformanceAudio.Retimed(_prompt, 8000, 1)) }), 401)),
        // The skew window, whether host must be signed and whether a Base64 signature passes are not documented.
        ("auth.stale-timestamp-401", false, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn, new Signing { ClockOffset = TimeSpan.FromMinutes(-20) }), 401)),
        ("auth.host-not-signed-401", false, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn,
            new Signing { SignedHeaders = ["content-length", "content-type"] }), 401)),
        ("auth.base64-signature-401", false, () => Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn, new Signing { Authorization = Base64Signature }), 401)),
    ];

    /// <summary>The drive of the stored prompt, e.g. <c>Y:</c>; the documentation's default until one is stored.</summary>
    private string Drive => _stored is { Length: > 2 } s && s[1] == ':' ? s[..2] : "Y:";

    /// <summary>The folder uploads go to, as the stored prompt shows it; the default upload rule's until one is stored.</summary>
    private string Folder => _stored is { } s && s.LastIndexOf('/') is > 2 and var slash ? s[..slash] : $"Y:/3rdfile/{vdn}/thirdvoicebotfile";

    private string Missing => $"{Folder}/AAAAAAAA_1631869974029.wav";

    /// <summary>A folder under the default download rule that no file was stored in (the suite cannot make an empty one).</summary>
    private string EmptyFolder => $"{Drive}/voice/{vdn}/IVRrecordFile/ccfsconformance{_runId}";

    private string Stored => _stored ?? throw new NotApplicableException("no file was stored by upload.stores-a-prompt");

    /// <summary>Why the run stopped early: the endpoint locked this client's address (HTTP 403); null when it did not.</summary>
    public string? LockedOut { get; private set; }

    /// <summary>
    /// Runs the checks of a mode in order, reporting each as it finishes. Once the endpoint locks this client's address,
    /// every answer would be that 403, so the remaining checks are reported not applicable instead of failed. When no
    /// connection can be made, the run stops with that exception: every check would fail the same way, and none of them
    /// would say anything about the endpoint.
    /// </summary>
    public async Task<IReadOnlyList<CheckResult>> RunAsync(bool full, Func<CheckResult, Task> report)
    {
        var results = new List<CheckResult>();
        foreach (var (name, core, run) in Checks.Where(c => full || c.Core))
        {
            var clock = Stopwatch.StartNew();
            CheckResult result;
            if (LockedOut is not null)
            {
                result = new CheckResult(name, CheckStatus.NotApplicable, TimeSpan.Zero, "not run: " + LockedOut);
                results.Add(result);
                await report(result);
                continue;
            }

            try
            {
                await run();
                result = new CheckResult(name, CheckStatus.Pass, clock.Elapsed, null);
            }
            catch (AddressLockedException e)
            {
                LockedOut = e.Message;
                result = new CheckResult(name, CheckStatus.NotApplicable, clock.Elapsed, "not checked: " + e.Message);
            }
            catch (NotApplicableException e)
            {
                result = new CheckResult(name, CheckStatus.NotApplicable, clock.Elapsed, e.Message);
            }
            catch (CheckFailedException e)
            {
                result = new CheckResult(name, CheckStatus.Fail, clock.Elapsed, e.Message);
            }
            catch (Exception e) when (!Failure.IsUnreachable(e))
            {
                // Whatever an endpoint answers, the report goes on: an exception in a check is that check failing.
                result = new CheckResult(name, CheckStatus.Fail, clock.Elapsed, Failure.Of(e)?.Message ?? e.Message);
            }

            results.Add(result);
            await report(result);
        }

        return results;
    }

    /// <summary>
    /// A hostile path twice: in core it must be refused somehow (the documentation confines each caller to its
    /// rule's folders); in full with <c>0300004</c>, the code the spec chose.
    /// </summary>
    private static IEnumerable<(string, bool, Func<Task>)> Hostile(string name, Func<Task<RawAnswer>> send) =>
    [
        ($"{name}-refused", true, () => Expect.RefusedAsync(send())),
        ($"{name}-0300004", false, () => Expect.AnswerAsync(send(), 200, ResultCodes.ValueFormat)),
    ];

    private async Task ExpectSuccessAsync(Task<RawAnswer> send, bool cleanUp)
    {
        var answer = await Expect.AnswerAsync(send, 200, ResultCodes.Success);
        if (cleanUp && RawAnswer.Text(answer.ResultData, "fileName") is { } name)
        {
            await requests.PostAsync(CcfsPaths.DeleteFile, FileName(name));
        }
    }

    private Task<RawAnswer> Upload(string msgBody) =>
        requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", ConformanceRequests.Envelope(msgBody));

    private Task<RawAnswer> DownloadAsync(string filePath, bool folder = false) =>
        requests.PostAsync(CcfsPaths.DownloadFile, ConformanceRequests.Envelope(folder
            ? ConformanceRequests.MsgBody(("filePath", filePath), ("mode", 1))
            : ConformanceRequests.MsgBody(("filePath", filePath))));

    private byte[] PromptBody(byte[]? wav = null) =>
        ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("data", Convert.ToBase64String(wav ?? _prompt))));

    private static byte[] FileName(string name) => ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", name)));

    private static string? Base64Signature(string authorization)
    {
        var cut = authorization.LastIndexOf('/');
        return authorization[..(cut + 1)] + Convert.ToBase64String(Convert.FromHexString(authorization[(cut + 1)..]));
    }
}
