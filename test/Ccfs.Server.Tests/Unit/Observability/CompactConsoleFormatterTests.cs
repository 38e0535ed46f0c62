using Ccfs.Server.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ccfs.Server.Tests.Unit.Observability;

/// <summary>The text log writes callers' text (file names, receivers' answers) with no escape sequence left in it.</summary>
public sealed class CompactConsoleFormatterTests
{
    [Fact]
    public void A_message_and_an_exception_carrying_escape_sequences_are_written_escaped_on_their_lines()
    {
        var formatter = new CompactConsoleFormatter();
        using var output = new StringWriter();
        var message = "Upload of Y:/3rdfile/53/\e[2K\e[1Afake.wav failed";
        var entry = new LogEntry<string>(LogLevel.Error, "test", default, message, new IOException("disk \e]0;pwned\a gone\nsecond line"),
            (state, _) => state);

        formatter.Write(entry, null, output);

        var text = output.ToString();
        Assert.DoesNotContain('\e', text);
        Assert.DoesNotContain('\a', text);
        Assert.Contains("\\u001B[2K\\u001B[1Afake.wav failed (IOException: disk \\u001B]0;pwned\\u0007 gone second line)", text,
            StringComparison.Ordinal);
    }
}
