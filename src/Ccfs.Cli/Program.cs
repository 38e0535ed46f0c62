namespace Ccfs.Cli;

/// <summary>
/// The entry point, named apart from the server's public <c>Program</c> (the tool references the server for
/// <c>ccfs serve</c>).
/// </summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => CcfsCli.RunAsync(args, CliConsole.Standard);
}
