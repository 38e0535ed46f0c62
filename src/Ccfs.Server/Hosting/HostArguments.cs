using Ccfs.Server.Observability;

namespace Ccfs.Server.Hosting;

/// <summary>
/// The server's own options, taken out of the command line before the rest goes to ASP.NET Core's configuration
/// (<c>--urls</c>, <c>--Ccfs:DataDir=…</c>): its command-line provider would read a flag without a value, such as
/// <c>--ephemeral</c>, as the key of the argument after it.
/// </summary>
public sealed record HostArguments(bool Help, bool Version, bool Ephemeral, string[] Rest, string? Problem)
{
    public const string LogFormatOption = "--log-format";

    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        bool help = false, version = false, ephemeral = false;
        string? problem = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                case "--version":
                    version = true;
                    break;
                case "--ephemeral":
                    ephemeral = true;
                    break;
                case LogFormatOption when i + 1 < args.Count:
                    rest.Add($"--{LogFormat.ConfigurationKey}={args[++i]}");
                    break;
                case LogFormatOption:
                    problem = $"{LogFormatOption} needs a value: {string.Join(", ", LogFormat.Names)}";
                    break;
                default:
                    rest.Add(arg.StartsWith(LogFormatOption + "=", StringComparison.Ordinal)
                        ? $"--{LogFormat.ConfigurationKey}={arg[(LogFormatOption.Length + 1)..]}"
                        : arg);
                    break;
            }
        }

        return new HostArguments(help, version, ephemeral, [.. rest], problem);
    }
}
