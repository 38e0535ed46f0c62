using System.Diagnostics;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// Something other than a regular file where a file is expected, such as a named pipe in a recordings folder: it is
/// answered as no file (0300011) at once, and never waited on.
/// </summary>
[Trait("Storage", "Disk")]
public sealed class SpecialFileTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task A_named_pipe_is_0300011_for_download_a_one_file_folder_and_hash_and_is_left_alone()
    {
        var recording = Path.Combine(factory.LocationRoot(), "voice", "53", "IVRrecordFile", "piped", "call.wav");
        var prompt = Path.Combine(factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile", "pipe.wav");
        await MakeNamedPipeAsync(recording);
        await MakeNamedPipeAsync(prompt);
        var client = factory.Signed();
        var before = factory.Snapshot();

        var download = await UnlessBlockedAsync(() => client.DownloadAsync("Y:/voice/53/IVRrecordFile/piped/call.wav"), recording);
        var folder = await UnlessBlockedAsync(() => client.DownloadAsync("Y:/voice/53/IVRrecordFile/piped", 1), recording);
        var hash = await UnlessBlockedAsync(() => client.HashAsync("Y:/3rdfile/53/thirdvoicebotfile/pipe.wav"), prompt);

        await CcfsAnswer.AssertTripleAsync(download, "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(folder, "0300011", "The file does not exist.");
        await CcfsAnswer.AssertTripleAsync(hash, "0300011", "The file does not exist.");
        Assert.Equal(before, factory.Snapshot());
    }

    /// <summary>
    /// The test server runs a request on the caller's thread, so a server stuck opening the pipe would hold the test
    /// forever, whatever the client's timeout. After 10 s the pipe gets a writer, which frees the server, and the test
    /// fails instead of hanging.
    /// </summary>
    private static async Task<HttpResponseMessage> UnlessBlockedAsync(Func<Task<HttpResponseMessage>> send, string pipe)
    {
        var request = Task.Run(send);
        if (await Task.WhenAny(request, Task.Delay(TimeSpan.FromSeconds(10))) != request)
        {
            await using (new FileStream(pipe, FileMode.Open, FileAccess.Write))
            {
            }

            Assert.Fail($"the request was still waiting on the named pipe {pipe} after 10 s");
        }

        return await request;
    }

    private static async Task MakeNamedPipeAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = System.Diagnostics.Process.Start(new ProcessStartInfo("mkfifo", [path]))!;
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
    }
}
