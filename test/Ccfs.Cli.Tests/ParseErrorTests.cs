namespace Ccfs.Cli.Tests;

/// <summary>A value of the wrong kind is named in one line that says what is expected, without the whole help text.</summary>
public sealed class ParseErrorTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Theory]
    [InlineData("--match-vdn", "a whole number", "faults", "add", "--result-code", "0300503", "--match-vdn", "abc")]
    [InlineData("--timeout", "a whole number", "hash", "x.wav", "--timeout", "soon")]
    [InlineData("--probability", "a number", "faults", "add", "--result-code", "0300503", "--probability", "half")]
    public async Task A_value_of_the_wrong_kind_exits_2_with_one_line_naming_the_option_and_what_it_takes(string option, string expected,
        params string[] args)
    {
        var (code, output, error) = await Cli.RunAsync(NoEnvironment, args);

        Assert.Equal(ExitCodes.Usage, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ccfs: ", line, StringComparison.Ordinal);
        Assert.Contains(option, line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.Equal("", output);
    }
}
