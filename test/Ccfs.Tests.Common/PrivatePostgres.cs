using System.Diagnostics;
using System.Globalization;

namespace Ccfs.Tests;

/// <summary>
/// A PostgreSQL cluster of one test's own (scripts/postgres-start.sh in a temporary folder, on a free port), for tests
/// that do to PostgreSQL what no shared server may suffer: freeze every one of its processes (SIGSTOP, as a stopped VM
/// or a path that drops packets looks), kill them (SIGKILL), start it again on the same data.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ccfs-private-postgres", Guid.NewGuid().ToString("N"));
    private readonly int _port = ServerProcess.FreePort();
    private readonly string? _options;

    /// <param name="options">More server settings (<c>PG_OPTIONS</c>), such as <c>-c synchronous_commit=off</c>.</param>
    public PrivatePostgres(string? options = null)
    {
        _options = options;
        ConnectionString = Start().Trim();
    }

    /// <summary>The connection string of the cluster's database (the <c>public</c> schema).</summary>
    public string ConnectionString { get; }

    /// <summary>Stops (SIGSTOP) or resumes (SIGCONT) the postmaster and every process it started.</summary>
    public void Freeze() => Signal("STOP");

    public void Thaw() => Signal("CONT");

    /// <summary>SIGKILL to the postmaster and every process it started: nothing is flushed that was not already.</summary>
    public void Kill()
    {
        Signal("KILL");
        for (var i = 0; i < 100 && IsRunning(); i++)
        {
            Thread.Sleep(100);
        }
    }

    /// <summary>Starts the cluster again on its data (after <see cref="Kill"/>): PostgreSQL recovers from its WAL.</summary>
    public void Restart() => Start();

    public void Dispose()
    {
        try
        {
            Thaw();
            PostgresCluster.Script("postgres-stop.sh", [_folder, "--remove"]);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private string Start() => PostgresCluster.Script("postgres-start.sh", [_folder, _port.ToString(CultureInfo.InvariantCulture)],
        new() { ["PG_WATCH_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture), ["PG_OPTIONS"] = _options ?? "" });

    private bool IsRunning() => Postmaster() is { } pid && Exists(pid);

    private int? Postmaster()
    {
        var pidFile = Path.Combine(_folder, "data", "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    private static bool Exists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void Signal(string signal)
    {
        if (Postmaster() is not { } pid)
        {
            return;
        }

        // The children first, then the postmaster, so none of them is started again in between.
        using var pkill = Process.Start(new ProcessStartInfo("pkill", [$"-{signal}", "-P", pid.ToString(CultureInfo.InvariantCulture)]))!;
        pkill.WaitForExit();
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]))!;
        kill.WaitForExit();
    }
}
