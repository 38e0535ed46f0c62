using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ccfs.Protocol;

namespace Ccfs.Cli.Conformance;

/// <summary>The checks on the prompt the suite stores: upload, hash, download in its forms, and delete.</summary>
public sealed partial class ConformanceSuite
{
    private async Task UploadStoresAPromptAsync()
    {
        var answer = await Expect.AnswerAsync(requests.UploadAsync(_prompt, vdn), 200, ResultCodes.Success);
        _stored = RawAnswer.Text(answer.ResultData, "fileName") is { Length: > 0 } fileName
            ? fileName
            : throw new CheckFailedException("the answer has no resultData.fileName String, the handle of the stored file");
    }

    /// <summary>The shape of the documentation's examples: a drive, the rule's folder with the VDN, 8 letters or digits, ms.</summary>
    private Task NameShapeAsync() =>
        GeneratedName().IsMatch(Stored) && Stored.Contains($"/{vdn}/", StringComparison.Ordinal)
            ? Task.CompletedTask
            : throw new CheckFailedException($"resultData.fileName '{Stored}' is not <drive>:/…/{vdn}/…/<8 letters or digits>_<13 digits>.wav");

    private async Task HashOfTheStoredBytesAsync()
    {
        var answer = await Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Stored)), 200, ResultCodes.Success);
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

    private async Task DownloadReturnsTheStoredBytesAsync() => ExpectThePrompt(await DownloadAsync(Stored));

    /// <summary>The documentation's <c>Application/Octet-stream;charset=UTF-8</c>, compared as a media type.</summary>
    private async Task DownloadContentTypeAsync()
    {
        var answer = await DownloadAsync(Stored);
        var mediaType = answer.ContentType?.Split(';')[0].Trim();
        if (answer.Status != 200 || !string.Equals(mediaType, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckFailedException($"{answer} with Content-Type '{answer.ContentType}'; CC-FS sends Application/Octet-stream;charset=UTF-8");
        }
    }

    /// <summary>CC-Gateway writes paths with '\' (spec §1.8); the spec reads it as '/'.</summary>
    private async Task DownloadWithBackslashesAsync() => ExpectThePrompt(await DownloadAsync(Stored.Replace('/', '\\')));

    /// <summary>
    /// mode 1 must fail for a folder of more than one file; the code is undocumented, and the spec lists 0300012 as
    /// the alternative. Two more prompts make sure the upload folder holds at least two files.
    /// </summary>
    private async Task FolderWithTwoFilesAsync()
    {
        var names = new List<string>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var answer = await requests.UploadAsync(ConformanceAudio.Prompt(), vdn);
                names.Add(answer.ResultCode == ResultCodes.Success && RawAnswer.Text(answer.ResultData, "fileName") is { } name
                    ? name
                    : throw new NotApplicableException($"could not store two prompts to fill a folder: {answer}"));
            }

            var folder = names[0][..Math.Max(0, names[0].LastIndexOf('/'))];
            if (!names[1].StartsWith(folder + "/", StringComparison.Ordinal))
            {
                throw new NotApplicableException($"the two prompts were stored in different folders ({names[0]}, {names[1]})");
            }

            await Expect.AnswerAsync(DownloadAsync(folder, folder: true), 200, ResultCodes.ValueFormat, ResultCodes.NoDataFound);
        }
        finally
        {
            foreach (var name in names)
            {
                await requests.PostAsync(CcfsPaths.DeleteFile, FileName(name));
            }
        }
    }

    private async Task DeleteRemovesTheFileAsync()
    {
        await Expect.AnswerAsync(requests.PostAsync(CcfsPaths.DeleteFile, FileName(Stored)), 200, ResultCodes.Success);
        await Expect.AnswerAsync(requests.PostAsync(CcfsPaths.GetFileHash, FileName(Stored)), 200, ResultCodes.FileNotFound);
    }

    private void ExpectThePrompt(RawAnswer answer)
    {
        if (answer.Status != 200 || !answer.Body.AsSpan().SequenceEqual(_prompt))
        {
            throw new CheckFailedException($"{answer}: the body is not the {_prompt.Length} bytes uploaded");
        }
    }

    [GeneratedRegex("^[A-Za-z]:/.+/[A-Za-z0-9]{8}_[0-9]{13}\\.wav$")]
    private static partial Regex GeneratedName();
}
