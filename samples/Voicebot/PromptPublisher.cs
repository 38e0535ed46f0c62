using Ccfs.Client;

namespace Voicebot;

/// <summary>
/// What a voicebot does with CC-FS, as an integrator would write it: publish a prompt, retrying while the service is busy
/// (0300503) or its upload flow control holds; fetch the recording of a call once the IVR has written it.
/// </summary>
public sealed class PromptPublisher(CcfsClient client, int vdnId, TimeSpan retryDelay)
{
    public const int Attempts = 3;

    /// <summary>The stored file's name, which the IVR plays; throws when every attempt was refused.</summary>
    public async Task<string> PublishAsync(string wavPath)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await client.UploadAsync(wavPath, vdnId);
            if (answer.IsSuccess)
            {
                return answer.Data!.FileName;
            }

            if (answer.ResultCode is not ("0300503" or "0300008") || attempt == Attempts)
            {
                throw new InvalidOperationException($"CC-FS refused the prompt: {answer.ResultCode} {answer.ResultDesc}");
            }

            await Task.Delay(retryDelay);
        }
    }

    /// <summary>The one recording in a call's folder, or null while the IVR has not written it (0300011).</summary>
    public async Task<byte[]?> FetchRecordingAsync(string folder)
    {
        using var content = new MemoryStream();
        var answer = await client.DownloadAsync(folder, content, folder: true);
        return answer.IsSuccess ? content.ToArray()
            : answer.ResultCode == "0300011" ? null
            : throw new InvalidOperationException($"CC-FS refused the download: {answer.ResultCode} {answer.ResultDesc}");
    }
}
