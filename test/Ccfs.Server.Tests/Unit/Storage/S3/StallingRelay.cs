using System.Net;
using System.Net.Sockets;

namespace Ccfs.Server.Tests.Unit.Storage.S3;

/// <summary>
/// A TCP relay to a real store that reads the requests of its first <c>stallFirst</c> connections and never answers
/// them, as a store that drops a request does; every later connection is relayed both ways, its answers held back
/// <c>answerDelay</c> first, as a slow store's are.
/// </summary>
internal sealed class StallingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly TimeSpan _answerDelay;
    private int _toStall;
    private int _connections;

    public StallingRelay(Uri target, int stallFirst, TimeSpan answerDelay = default)
    {
        _target = target;
        _toStall = stallFirst;
        _answerDelay = answerDelay;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Connections accepted so far, stalled ones included.</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptAsync()
    {
        var open = new List<Task>();
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            // Stopped: a call that begins after Stop finds no listener (InvalidOperationException), one under way is cancelled.
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException
                || (e is InvalidOperationException && _stop.IsCancellationRequested))
            {
                break;
            }

            Interlocked.Increment(ref _connections);
            open.Add(Interlocked.Decrement(ref _toStall) >= 0 ? SwallowAsync(client) : RelayAsync(client));
        }

        await Task.WhenAll(open);
    }

    private async Task SwallowAsync(TcpClient client)
    {
        using (client)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (await client.GetStream().ReadAsync(buffer, _stop.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
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
                await upstream.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                var (near, far) = (client.GetStream(), upstream.GetStream());
                // Either side closing ends the relay; disposing both then closes the other.
                await Task.WhenAny(near.CopyToAsync(far, _stop.Token), AnswerAsync(far, near));
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    private async Task AnswerAsync(Stream far, Stream near)
    {
        await Task.Delay(_answerDelay, _stop.Token);
        await far.CopyToAsync(near, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
