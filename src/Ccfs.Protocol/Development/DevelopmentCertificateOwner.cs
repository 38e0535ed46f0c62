using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Ccfs.Protocol.Development;

/// <summary>
/// The development server a shared certificate belongs to: its process, when that process started (so a reused
/// process id is not mistaken for it) and where it listens. Written as the line of text above the certificate in
/// <c>~/.ccfs/dev-certificate.pem</c>, which PEM readers (OpenSSL, curl, .NET) skip.
/// </summary>
public sealed partial record DevelopmentCertificateOwner(int ProcessId, DateTimeOffset StartedAt, IReadOnlyList<string> Endpoints)
{
    private const string Prefix = "ccfs development server: process ";

    /// <summary>The process this code runs in, listening on <paramref name="endpoints"/>.</summary>
    public static DevelopmentCertificateOwner Current(IReadOnlyList<string> endpoints)
    {
        using var self = Process.GetCurrentProcess();
        return new(self.Id, new DateTimeOffset(self.StartTime.ToUniversalTime(), TimeSpan.Zero), endpoints);
    }

    /// <summary>The owner line, such as <c>ccfs development server: process 4242 started 2026-12-06T19:21:00.1230000Z, listening on https://127.0.0.1:8443</c>.</summary>
    public string Header =>
        $"{Prefix}{ProcessId.ToString(CultureInfo.InvariantCulture)} started {StartedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}, "
        + $"listening on {string.Join(' ', Endpoints)}";

    public static DevelopmentCertificateOwner? Parse(string line)
    {
        var match = HeaderPattern().Match(line);
        if (!match.Success
            || !int.TryParse(match.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !DateTimeOffset.TryParse(match.Groups["started"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var started))
        {
            return null;
        }

        return new(pid, started, match.Groups["endpoints"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The same process still runs: its id exists and started when this owner says (within a second).</summary>
    public bool IsAlive()
    {
        try
        {
            using var process = Process.GetProcessById(ProcessId);
            return !process.HasExited
                && (new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero) - StartedAt).Duration() < TimeSpan.FromSeconds(1);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    public bool IsSameProcess(DevelopmentCertificateOwner other) =>
        ProcessId == other.ProcessId && (StartedAt - other.StartedAt).Duration() < TimeSpan.FromSeconds(1);

    [GeneratedRegex(@"^ccfs development server: process (?<pid>\d+) started (?<started>\S+), listening on (?<endpoints>.*)$")]
    private static partial Regex HeaderPattern();
}
