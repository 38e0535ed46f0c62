using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ccfs.Audio;
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
        durationMs = Math.Round(Duration.TotalMilliseconds, 1),
        error = Error,
    });
}

/// <summary>
/// A black-box suite for any CC-FS-compatible endpoint: each interface, each error code, the auth failures and
/// hostile paths. <c>core</c> is what every CC-FS must do; <c>full</c> adds what the documentation implies but a
/// real deployment might configure differently. Checks run in order and share the prompt the first one uploads.
/// </summary>
public sealed partial class ConformanceSuite(ConformanceRequests requests, int vdn, int otherVdn)
{
    private readonly byte[] _prompt = Prompt();
    private string? _stored;

    public IReadOnlyList<(string Name, bool Core, Func<Task> Run)> Checks =>
    [
        ("upload.stores-a-prompt", true, UploadStoresAPromptAsync),
        ("upload.alias-path", false, () => ExpectSuccessAsync(requests.PostAsync($"{CcfsPaths.UploadAlias}?vdnId={vdn}",
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("data", Convert.ToBase64String(_prompt))))), cleanUp: true)),
        ("hash.of-the-stored-bytes", true, HashOfTheStoredBytesAsync),
        ("download.returns-the-stored-bytes", true, DownloadReturnsTheStoredBytesAsync),
        ("delete.removes-the-file", true, DeleteRemovesTheFileAsync),
        ("delete.missing-file-0300011", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName(Missing)), 200, ResultCodes.FileNotFound)),
        ("hash.missing-file-0300011", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Missing)), 200, ResultCodes.FileNotFound)),
        ("upload.16khz-0300004", true, () => ExpectAsync(requests.UploadAsync(Retimed(_prompt, 16000), vdn), 200, ResultCodes.ValueFormat)),
        ("upload.not-wav-0300004", true, () => ExpectAsync(requests.UploadAsync("not a wave file at all"u8.ToArray(), vdn), 200, ResultCodes.ValueFormat)),
        ("upload.not-base64-0300004", true, () => ExpectAsync(Upload(ConformanceRequests.MsgBody(("data", "@@@@"))), 200, ResultCodes.ValueFormat)),
        ("upload.empty-data-0300002", true, () => ExpectAsync(Upload(ConformanceRequests.MsgBody(("data", ""))), 200, ResultCodes.ValueEmpty)),
        ("upload.missing-data-0300001", true, () => ExpectAsync(Upload("{}"), 200, ResultCodes.ValueNull)),
        ("upload.vdnId-missing-0300001", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.UploadFile, PromptBody()), 200, ResultCodes.ValueNull)),
        ("upload.vdnId-not-a-number-0300004", true, () => ExpectAsync(requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId=abc", PromptBody()), 200, ResultCodes.ValueFormat)),
        ("envelope.not-json-0300007", true, () => ExpectAsync(requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", "not json"u8.ToArray()), 200, ResultCodes.RequestBodyNull)),
        ("envelope.no-msgBody-0300007", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile, """{"request":{"version":"2.0"}}"""u8.ToArray()), 200, ResultCodes.RequestBodyNull)),
        ("envelope.wrong-version-0300006", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", Missing)), "1.0")), 200, ResultCodes.VersionError)),
        ("delete.fileName-empty-0300002", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName("")), 200, ResultCodes.ValueEmpty)),
        ("download.filePath-missing-0300001", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DownloadFile, ConformanceRequests.Envelope("{}")), 200, ResultCodes.ValueNull)),
        ("auth.no-signature-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { Authorization = _ => null }), 401)),
        ("auth.wrong-secret-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { SecretKey = "not-the-secret-key" }), 401)),
        ("auth.tampered-body-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { SignedBody = PromptBody(Retimed(_prompt, 8000, 1)) }), 401)),
        ("auth.stale-timestamp-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { ClockOffset = TimeSpan.FromMinutes(-20) }), 401)),
        ("auth.host-not-signed-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { SignedHeaders = ["content-length", "content-type"] }), 401)),
        ("auth.base64-signature-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, vdn, new Signing { Authorization = Base64Signature }), 401)),
        ("auth.unbound-vdn-401", true, () => ExpectAsync(requests.UploadAsync(_prompt, otherVdn), 401)),
        ("path.traversal-0300004", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            FileName($"Y:/3rdfile/{vdn}/thirdvoicebotfile/../../../../etc/passwd")), 200, ResultCodes.ValueFormat)),
        ("path.other-tenant-401", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"Y:/3rdfile/{otherVdn}/thirdvoicebotfile/AAAAAAAA_1631869974029.wav")), 401)),
        ("path.outside-the-rule-0300004", true, () => ExpectAsync(requests.PostAsync(CcfsPaths.DownloadFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("filePath", $"Y:/elsewhere/{vdn}/x.wav")))), 200, ResultCodes.ValueFormat)),
        ("path.encoded-separator-0300004", false, () => ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"Y:/3rdfile/{vdn}/thirdvoicebotfile/..%2f..%2fx.wav")), 200, ResultCodes.ValueFormat)),
        ("path.other-drive-0300004", false, () => ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash,
            FileName($"C:/3rdfile/{vdn}/thirdvoicebotfile/AAAAAAAA_1631869974029.wav")), 200, ResultCodes.ValueFormat)),
        ("delete.unknown-location-0300004", false, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", Missing), ("locationId", "no-such-location")))), 200, ResultCodes.ValueFormat)),
        ("envelope.duplicate-property-0300004", false, () => ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile,
            ConformanceRequests.Envelope($$"""{"fileName":"{{Missing}}","fileName":"{{Missing}}"}""")), 200, ResultCodes.ValueFormat)),
        ("http.unknown-path-404", false, () => ExpectAsync(requests.PostAsync("/CCFS/resource/ccfs/ivr/noSuchInterface", PromptBody()), 404)),
    ];

    private string Missing => $"Y:/3rdfile/{vdn}/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    /// <summary>Runs the checks of a mode in order, reporting each as it finishes.</summary>
    public async Task<IReadOnlyList<CheckResult>> RunAsync(bool full, Func<CheckResult, Task> report)
    {
        var results = new List<CheckResult>();
        foreach (var (name, core, run) in Checks.Where(c => full || c.Core))
        {
            var clock = Stopwatch.StartNew();
            CheckResult result;
            try
            {
                await run();
                result = new CheckResult(name, CheckStatus.Pass, clock.Elapsed, null);
            }
            catch (NotApplicableException e)
            {
                result = new CheckResult(name, CheckStatus.NotApplicable, clock.Elapsed, e.Message);
            }
            catch (CheckFailedException e)
            {
                result = new CheckResult(name, CheckStatus.Fail, clock.Elapsed, e.Message);
            }
            catch (Exception e)
            {
                // Whatever an endpoint answers, the report goes on: an exception in a check is that check failing.
                result = new CheckResult(name, CheckStatus.Fail, clock.Elapsed, $"{e.GetType().Name}: {e.Message}");
            }

            results.Add(result);
            await report(result);
        }

        return results;
    }

    private async Task UploadStoresAPromptAsync()
    {
        var answer = await ExpectAsync(requests.UploadAsync(_prompt, vdn), 200, ResultCodes.Success);
        var fileName = RawAnswer.Text(answer.ResultData, "fileName");
        if (fileName is null || !GeneratedName().IsMatch(fileName) || !fileName.Contains($"/{vdn}/", StringComparison.Ordinal))
        {
            throw new CheckFailedException($"resultData.fileName '{fileName}' is not <drive>:/…/{vdn}/…/<8 letters or digits>_<13 digits>.wav");
        }

        _stored = fileName;
    }

    private async Task HashOfTheStoredBytesAsync()
    {
        var answer = await ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Stored)), 200, ResultCodes.Success);
        if (answer.ResultData is not { ValueKind: JsonValueKind.Object } data || !data.TryGetProperty("hash", out var hash))
        {
            throw new NotApplicableException("the answer has no resultData.hash; CC-FS does not document the field, so it cannot be checked");
        }

        if (hash.ValueKind != JsonValueKind.String)
        {
            throw new CheckFailedException($"resultData.hash is {hash.GetRawText()}, a {hash.ValueKind}, not a String of hex digits");
        }

        var expected = new[] { SHA256.HashData(_prompt), MD5.HashData(_prompt), SHA1.HashData(_prompt) }.Select(Convert.ToHexStringLower);
        if (!expected.Contains(hash.GetString()!.ToLowerInvariant()))
        {
            throw new CheckFailedException($"hash {hash.GetString()} is not the SHA-256, MD5 or SHA-1 of the uploaded bytes");
        }
    }

    private async Task DownloadReturnsTheStoredBytesAsync()
    {
        var answer = await requests.PostAsync(CcfsPaths.DownloadFile,
            ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("filePath", Stored))));
        if (answer.Status != 200 || !answer.Body.AsSpan().SequenceEqual(_prompt))
        {
            throw new CheckFailedException($"{answer}: the body is not the {_prompt.Length} bytes uploaded");
        }
    }

    private async Task DeleteRemovesTheFileAsync()
    {
        await ExpectAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName(Stored)), 200, ResultCodes.Success);
        await ExpectAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Stored)), 200, ResultCodes.FileNotFound);
    }

    private async Task ExpectSuccessAsync(Task<RawAnswer> send, bool cleanUp)
    {
        var answer = await ExpectAsync(send, 200, ResultCodes.Success);
        if (cleanUp && RawAnswer.Text(answer.ResultData, "fileName") is { } name)
        {
            await requests.PostAsync(CcfsPaths.DeleteFile, FileName(name));
        }
    }

    private static async Task<RawAnswer> ExpectAsync(Task<RawAnswer> send, int status, string? resultCode = null)
    {
        var answer = await send;
        if (answer.Status != status || (resultCode is not null && answer.ResultCode != resultCode))
        {
            throw new CheckFailedException($"expected HTTP {status}" + (resultCode is null ? "" : $" with resultCode {resultCode}") + $", got {answer}");
        }

        if (status is 401 or 403 && answer.SpringStatus != status)
        {
            throw new CheckFailedException($"HTTP {status} without Spring's error body (status {status})");
        }

        return answer;
    }

    private string Stored => _stored ?? throw new NotApplicableException("no file was stored by upload.stores-a-prompt");

    private Task<RawAnswer> Upload(string msgBody) =>
        requests.PostAsync($"{CcfsPaths.UploadFile}?vdnId={vdn}", ConformanceRequests.Envelope(msgBody));

    private byte[] PromptBody(byte[]? wav = null) =>
        ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("data", Convert.ToBase64String(wav ?? _prompt))));

    private static byte[] FileName(string name) => ConformanceRequests.Envelope(ConformanceRequests.MsgBody(("fileName", name)));

    private static string? Base64Signature(string authorization)
    {
        var cut = authorization.LastIndexOf('/');
        return authorization[..(cut + 1)] + Convert.ToBase64String(Convert.FromHexString(authorization[(cut + 1)..]));
    }

    /// <summary>One second of a 440 Hz tone, unique per run so a server cannot confuse it with an earlier upload.</summary>
    private static byte[] Prompt()
    {
        var samples = new byte[8000];
        var phase = Random.Shared.NextDouble();
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = G711.ALawEncode(G711.ToInt16((float)(0.3 * Math.Sin((2 * Math.PI * 440 * i / 8000.0) + phase))));
        }

        return WaveWriter.ALaw(samples);
    }

    /// <summary>The same file claiming another sample rate (or with one sample changed), for refusals and tampering.</summary>
    private static byte[] Retimed(byte[] wav, uint rate, int flip = 0)
    {
        var copy = (byte[])wav.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(24), rate);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(28), rate);
        copy[^1] ^= (byte)flip;
        return copy;
    }

    [GeneratedRegex("^[A-Za-z]:/.+/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$")]
    private static partial Regex GeneratedName();
}

public sealed class CheckFailedException(string message) : Exception(message);

public sealed class NotApplicableException(string message) : Exception(message);
