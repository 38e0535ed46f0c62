using System.Diagnostics;
using System.Text;

namespace Ccfs.Server.Tests;

/// <summary><c>scripts/signed-request.sh</c>, the auth-v2 signer in bash that docs/auth-v2.md walks through.</summary>
internal static class SignedRequestScript
{
    /// <summary>Runs the script; the text is stderr then stdout, and the raw stdout bytes are returned too.</summary>
    public static async Task<(int ExitCode, string Output, byte[] Stdout)> RunAsync(Dictionary<string, string> environment,
        params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(TestData.RepositoryRoot, "scripts", "signed-request.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        // Signing a body of megabytes with od and awk takes seconds on a busy machine; a script that hangs is failed.
        using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"signed-request.sh {string.Join(' ', arguments)} did not finish within 3 minutes");
            }
        }

        await copy;
        var bytes = stdout.ToArray();
        return (process.ExitCode, await stderr + Encoding.UTF8.GetString(bytes), bytes);
    }
}
