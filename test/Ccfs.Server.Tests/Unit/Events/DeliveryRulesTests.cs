using System.Net;
using System.Net.Sockets;
using System.Text;
using Ccfs.Server.Events;

namespace Ccfs.Server.Tests.Unit.Events;

/// <summary>Where webhooks may go, how the sender treats a refused destination, and the documented retry schedule.</summary>
public sealed class DeliveryRulesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("198.19.255.1")]
    [InlineData("240.0.0.1")]
    [InlineData("192.0.0.8")]
    [InlineData("::a00:1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("2001:2::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("3fff::1")]
    [InlineData("fec0::1")]
    public void Private_loopback_and_link_local_addresses_are_refused_unless_allowed(string address)
    {
        var ip = IPAddress.Parse(address);
        Assert.False(new DestinationPolicy(allowPrivate: false).Allows(ip));
        Assert.True(new DestinationPolicy(allowPrivate: true).Allows(ip));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_allowed(string address) => Assert.True(new DestinationPolicy(allowPrivate: false).Allows(IPAddress.Parse(address)));

    [Fact]
    public async Task A_name_that_resolves_to_a_private_address_is_refused_at_connect_and_not_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var sender = new WebhookSender(new EventOptions(), new DestinationPolicy(allowPrivate: false), TimeProvider.System);
        // "localhost" is a name, not an address: it is resolved at connect, and what it resolves to is checked.
        var url = new UriBuilder(receiver.Url) { Host = "localhost" }.Uri;

        var result = await sender.SendAsync(url, "evt-1", "{}"u8.ToArray(), new SigningKeys(new byte[32]), CancellationToken.None);

        Assert.Equal(DeliveryVerdict.DeadLetter, result.Verdict);
        Assert.Contains("AllowPrivateDestinations", result.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Control_and_bidi_characters_of_an_answer_are_escaped_in_the_error_text()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var answer = Encoding.UTF8.GetBytes("bad\u001b[2J\u0007 \u202eevil\u2066 \u009bend");
        var serve = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var read = new byte[4096];
            var request = "";
            while (!request.Contains("\r\n\r\n{}", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(read);
                if (n == 0)
                {
                    break;
                }

                request += Encoding.ASCII.GetString(read, 0, n);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 400 Bad Request\r\nContent-Length: {answer.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(answer);
        });
        using var sender = new WebhookSender(new EventOptions(), new DestinationPolicy(allowPrivate: true), TimeProvider.System);

        var result = await sender.SendAsync(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook"), "evt-1", "{}"u8.ToArray(),
            new SigningKeys(new byte[32]), CancellationToken.None);
        await serve;

        Assert.Equal(DeliveryVerdict.DeadLetter, result.Verdict);
        Assert.Equal("HTTP 400: bad\\u001B[2J\\u0007 \\u202Eevil\\u2066 \\u009Bend", result.Error);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_in_time_is_retried_and_a_closed_port_too()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(3));
            return 200;
        };
        var options = new EventOptions { Timeout = TimeSpan.FromMilliseconds(300), ConnectTimeout = TimeSpan.FromMilliseconds(300) };
        using var sender = new WebhookSender(options, new DestinationPolicy(allowPrivate: true), TimeProvider.System);

        var slow = await sender.SendAsync(receiver.Url, "evt-1", "{}"u8.ToArray(), new SigningKeys(new byte[32]), CancellationToken.None);
        var closed = await sender.SendAsync(new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}/hook"), "evt-1", "{}"u8.ToArray(), new SigningKeys(new byte[32]),
            CancellationToken.None);

        Assert.Equal((DeliveryVerdict.Retry, "the receiver did not answer in time"), (slow.Verdict, slow.Error));
        Assert.Equal(DeliveryVerdict.Retry, closed.Verdict);
    }

    [Fact]
    public void The_first_three_retries_come_within_a_minute_and_the_last_about_a_day_after_the_first_attempt()
    {
        var random = new Random(7);
        for (var run = 0; run < 100; run++)
        {
            var firstThree = Enumerable.Range(1, 3).Select(a => RetrySchedule.After(a, random)!.Value).Aggregate(TimeSpan.Zero, (a, b) => a + b);
            Assert.True(firstThree < TimeSpan.FromMinutes(1), $"{firstThree}");
            var all = Enumerable.Range(1, RetrySchedule.MaxAttempts - 1).Select(a => RetrySchedule.After(a, random)!.Value)
                .Aggregate(TimeSpan.Zero, (a, b) => a + b);
            Assert.InRange(all, TimeSpan.FromHours(18), TimeSpan.FromHours(30));
        }

        Assert.Null(RetrySchedule.After(RetrySchedule.MaxAttempts, random));
        Assert.Equal(12, RetrySchedule.MaxAttempts);
    }
}
