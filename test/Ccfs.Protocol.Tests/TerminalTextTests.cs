namespace Ccfs.Protocol.Tests;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\e[2K\e[1Afake line", "\\u001B[2K\\u001B[1Afake line")]
    [InlineData("title\e]0;pwned\a", "title\\u001B]0;pwned\\u0007")]
    [InlineData("nul\0del\u007Fnel\u0085", "nul\\u0000del\\u007Fnel\\u0085")]
    [InlineData("evil\u202Ewav.exe", "evil\\u202Ewav.exe")]
    [InlineData("a\u2028b\u2029c\u2066d", "a\\u2028b\\u2029c\\u2066d")]
    [InlineData("one\r\ntwo\nthree\rfour", "one two three four")]
    [InlineData("tab\tkept", "tab\tkept")]
    public void Control_characters_are_escaped_and_line_endings_become_spaces(string text, string printed)
    {
        Assert.Equal(printed, TerminalText.Escape(text));
    }

    [Fact]
    public void Plain_text_is_returned_as_it_is()
    {
        var text = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav (é, 中文)";

        Assert.Same(text, TerminalText.Escape(text));
        Assert.False(TerminalText.NeedsEscaping(text));
    }
}
