namespace Ccfs.Server.Parameters;

/// <summary>What an upload's prompt-quality findings do (the <c>promptCheck</c> parameter).</summary>
public enum PromptCheckMode
{
    /// <summary>Not measured.</summary>
    Off,

    /// <summary>Measured and recorded; the file is stored whatever the findings.</summary>
    Warn,

    /// <summary>A failed check answers 0300004 and nothing is stored.</summary>
    Refuse,
}

public static class PromptCheckModes
{
    public static IReadOnlyList<string> Names { get; } = ["off", "warn", "refuse"];

    public static PromptCheckMode? TryParse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "off" => PromptCheckMode.Off,
        "warn" => PromptCheckMode.Warn,
        "refuse" => PromptCheckMode.Refuse,
        _ => null,
    };
}
