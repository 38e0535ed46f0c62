using System.Net;
using System.Net.Sockets;

namespace Ccfs.Tests;

/// <summary>
/// A TCP relay in front of a real server that can be frozen: frozen, it keeps every connection open, accepts new ones,
/// and passes no byte either way, as a path that drops packets or a stopped VM looks to a client. Thawed, it passes
/// again. For a back-end the tests share (the Ceph RGW), which no single test may stop.
/// </summary>
public sealed class FreezablePath : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly CancellationTokenSource _closing = new();
    private TaskCompletionSource _open = Opened();

    public FreezablePath(Uri upstream)
    {
        _upstream = upstream;
        _listener.Start();
        _ = AcceptAsync();
    }

    /// <summary>The relay's address, with the upstream's scheme and path.</summary>
    public Uri Address => new UriBuilder(_upstream) { Host = "127.0.0.1", Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;

    public void Freeze() => Interlocked.Exchange(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Thaw() => _open.TrySetResult();

    public void Dispose()
    {
        _closing.Cancel();
        Thaw();
        _listener.Stop();
        _closing.Dispose();
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    private async Task AcceptAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_closing.Token);
                _ = RelayAsync(client);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await _open.Task.WaitAsync(_closing.Token);
                await upstream.ConnectAsync(_upstream.Host, _upstream.Port, _closing.Token);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
                await Task.WhenAny(PumpAsync(client.GetStream(), upstream.GetStream(), done.Token),
                    PumpAsync(upstream.GetStream(), client.GetStream(), done.Token));
                await done.CancelAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, CancellationToken cancellation)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellation)) > 0)
            {
                await _open.Task.WaitAsync(cancellation);
                await to.WriteAsync(buffer.AsMemory(0, read), cancellation);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
