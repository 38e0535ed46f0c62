using System.Net;
using Ccfs.Server.Observability;
using Microsoft.Extensions.Time.Testing;

namespace Ccfs.Server.Tests.Unit.Observability;

/// <summary>One warning line a minute per client address, however often it errs, and a table that cannot grow unbounded.</summary>
public sealed class LogGateTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_address_is_let_through_once_a_minute_and_each_address_on_its_own()
    {
        var gate = new LogGate<IPAddress>(_time);
        var (a, b) = (IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1"));

        Assert.True(gate.Admits(a));
        Assert.False(gate.Admits(a));
        Assert.True(gate.Admits(b));
        _time.Advance(LogGate<IPAddress>.Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(gate.Admits(a));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(gate.Admits(a));
        Assert.False(gate.Admits(a));
    }

    [Fact]
    public void Threads_racing_for_one_address_let_one_line_through()
    {
        var gate = new LogGate<IPAddress>(_time);
        var address = IPAddress.Parse("192.0.2.7");

        var admitted = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (gate.Admits(address))
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(1, admitted);
    }

    [Fact]
    public void Past_ten_thousand_addresses_the_table_is_forgotten_so_an_address_is_let_through_again()
    {
        var gate = new LogGate<IPAddress>(_time);
        var first = IPAddress.Parse("10.0.0.0");
        Assert.True(gate.Admits(first));

        for (var i = 1; i <= 10_001; i++)
        {
            Assert.True(gate.Admits(IPAddress.Parse($"10.0.{i / 256}.{i % 256}")));
        }

        // Forgotten: one extra line for an address seen within the minute, the bounded price of a bounded table.
        Assert.True(gate.Admits(first));
    }
}
