using Ccfs.Server.Faults;
using Microsoft.AspNetCore.Http.Features;

namespace Ccfs.Server.Tests.Unit.Faults;

/// <summary>A rule's trickle never holds a connection past the longest delay a rule may ask: it is cut off there.</summary>
public sealed class ShapedAnswerStreamTests
{
    [Fact]
    public async Task A_trickle_that_would_outlast_its_bound_is_cut_off_there_as_a_dropped_connection()
    {
        var http = new DefaultHttpContext();
        var lifetime = new AbortRecorder();
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        using var sent = new MemoryStream();
        // 10 bytes a second: 100 bytes would take ten seconds, the bound is a tenth of that.
        await using var shaped = new ShapedAnswerStream(http, sent, bytesPerSecond: 10, dropAfterBytes: null, longest: TimeSpan.FromSeconds(1));

        await shaped.WriteAsync(new byte[100]);

        Assert.True(lifetime.Aborted);
        Assert.InRange(sent.Length, 1, 50);
        await shaped.WriteAsync(new byte[10]);
        Assert.InRange(sent.Length, 1, 50);
    }

    private sealed class AbortRecorder : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
