using System.Text.RegularExpressions;

namespace Ccfs.Cli.Tests;

/// <summary>Every <c>ccfs</c> command in docs/admin-page.md runs as written against a server and succeeds.</summary>
public sealed partial class AdminPageDocTests(RunningServer server) : IClassFixture<RunningServer>
{
    [Fact]
    public async Task Every_ccfs_command_in_the_admin_page_doc_succeeds()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(TestData.RepositoryRoot, "docs", "admin-page.md"));
        var commands = BashBlocks().Matches(doc).SelectMany(b => b.Groups[1].Value.Split('\n'))
            .Select(line => line.Split(" #")[0].Trim()).Where(line => line.StartsWith("ccfs ", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            var (code, output, error) = await Cli.RunAsync(server.AdminEnvironment(), [.. Words(command[5..])]);
            Assert.True(code == ExitCodes.Success, $"{command}: exit {code}: {error}");
            Assert.NotEqual("", output.Trim());
        }
    }

    /// <summary>A command line's words as a shell splits them: single quotes keep a word whole.</summary>
    private static IEnumerable<string> Words(string line) =>
        ShellWords().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);

    [GeneratedRegex("```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlocks();

    [GeneratedRegex(@"'([^']*)'|(\S+)")]
    private static partial Regex ShellWords();
}
