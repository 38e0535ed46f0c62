using Ccfs.Protocol.Wire;

namespace Ccfs.Protocol.Tests;

/// <summary>The X-Ccfs-Prompt-Check line as the SDK, the CLI and the admin API read it (grammar in docs/prompt-quality.md).</summary>
public sealed class PromptCheckLineTests
{
    [Fact]
    public void A_line_of_a_prompt_that_failed_reads_every_field_and_what_failed()
    {
        var line = PromptCheckLine.TryParse("level=-31.2dBov;activity=88%;clipped=2;dc=-0.4%;head=1.3s;tail=0.0s;verdict=quiet,clipping,head-silence")!;

        Assert.Equal(-31.2, line.LevelDbov);
        Assert.Equal(88, line.ActivityPercent);
        Assert.Equal(2, line.ClippedRuns);
        Assert.Equal(-0.4, line.DcPercent);
        Assert.Equal(1.3, line.HeadSeconds);
        Assert.Equal(0, line.TailSeconds);
        Assert.False(line.Passed);
        Assert.Equal(["quiet", "clipping", "head-silence"], line.Failed);
    }

    [Fact]
    public void A_silent_prompt_has_no_level_and_a_passing_one_fails_nothing()
    {
        var silent = PromptCheckLine.TryParse("level=none;activity=0%;clipped=0;dc=0.0%;head=0.0s;tail=0.0s;verdict=silent")!;
        Assert.Null(silent.LevelDbov);
        Assert.Equal(["silent"], silent.Failed);

        var passed = PromptCheckLine.TryParse("level=-26.0dBov;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail=0.3s;verdict=pass")!;
        Assert.True(passed.Passed);
        Assert.Empty(passed.Failed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("verdict=pass")]
    [InlineData("level=-26dB;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail=0.3s;verdict=pass")]
    [InlineData("level=-26.0dBov;activity=89%;clipped=-1;dc=0.1%;head=0.2s;tail=0.3s;verdict=pass")]
    [InlineData("level=-26.0dBov;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail=0.3s;verdict=")]
    [InlineData("level=-26.0dBov;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail;verdict=pass")]
    [InlineData("level=1e3dBov;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail=0.3s;verdict=pass")]
    public void Anything_else_is_not_a_line(string? text)
    {
        Assert.Null(PromptCheckLine.TryParse(text));
    }

    [Fact]
    public void A_text_longer_than_any_line_is_not_read()
    {
        Assert.Null(PromptCheckLine.TryParse("level=-26.0dBov;activity=89%;clipped=0;dc=0.1%;head=0.2s;tail=0.3s;verdict=" + new string('x', 300)));
    }
}
