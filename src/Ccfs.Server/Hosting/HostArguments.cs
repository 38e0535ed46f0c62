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

    /// <summary>Options that stand for a configuration key, so they may be given plainly: <c>--faults faults.json</c>.</summary>
    private static readonly Dictionary<string, string> KeyOptions = new(StringComparer.Ordinal)
    {
        ["--faults"] = "Ccfs:Faults:File",
        ["--seed"] = "Ccfs:Seed:Folder",
    };

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
                case var option when KeyOptions.TryGetValue(option, out var key) && i + 1 < args.Count:
                    rest.Add($"--{key}={args[++i]}");
                    break;
                case var option when KeyOptions.ContainsKey(option):
                    problem = $"{option} needs a value: {(option == "--seed" ? "a folder" : "a file")}";
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
