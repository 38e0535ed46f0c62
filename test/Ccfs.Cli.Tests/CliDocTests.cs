namespace Ccfs.Cli.Tests;

/// <summary>docs/cli.md's table of commands names every command <c>ccfs --help</c> lists.</summary>
public sealed class CliDocTests
{
    [Fact]
    public async Task Every_command_in_the_help_has_a_row_in_docs_cli_md()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(TestData.RepositoryRoot, "docs", "cli.md"));

        var (_, help, _) = await Cli.RunAsync(new Dictionary<string, string?>(), "--help");

        var commands = help.Split('\n').SkipWhile(line => line.Trim() != "Commands:").Skip(1)
            .TakeWhile(line => line.StartsWith("  ", StringComparison.Ordinal)).Select(line => line.Trim().Split(' ')[0]).ToList();
        Assert.Contains("check", commands);
        Assert.All(commands, command => Assert.Contains($"| `ccfs {command}", doc, StringComparison.Ordinal));
    }
}
