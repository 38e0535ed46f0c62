using Ccfs.Protocol;

namespace Ccfs.Server.Configuration;

/// <summary>The resultDesc each answer carries: the CC-FS table's wording unless configuration words it otherwise.</summary>
public sealed class ResultTexts(CompatibilityOptions options)
{
    public const string ParamToken = "{param}";

    private readonly Dictionary<string, string> _texts = new(options.ResultDescriptions, StringComparer.Ordinal)
    {
        [ResultCodes.Success] = options.SuccessDescription,
    };

    public string Describe(CcfsResult result) => _texts.TryGetValue(result.Code, out var text)
        ? text.Replace(ParamToken, result.Subject ?? "", StringComparison.Ordinal)
        : result.Description;

    public static void Check(CompatibilityOptions options, List<string> errors)
    {
        foreach (var (code, text) in options.ResultDescriptions)
        {
            var key = $"Ccfs:Compatibility:ResultDescriptions:{code}";
            if (code == ResultCodes.Success)
            {
                errors.Add($"{key}: the success text is Ccfs:Compatibility:SuccessDescription");
            }
            else if (!ResultCodes.All.Contains(code))
            {
                errors.Add($"{key}: '{code}' is not a result code ccfs answers with ({string.Join(", ", ResultCodes.All.Skip(1))})");
            }
            else if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add($"{key} is empty");
            }
        }

        if (string.IsNullOrWhiteSpace(options.SuccessDescription))
        {
            errors.Add("Ccfs:Compatibility:SuccessDescription is empty");
        }
    }
}
