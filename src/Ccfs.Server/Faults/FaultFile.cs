using System.Text.Json;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;

namespace Ccfs.Server.Faults;

/// <summary>
/// <c>--faults FILE</c> (<c>Ccfs:Faults:File</c>): a JSON array of rules, each as <c>POST /admin/api/faults</c> takes
/// it, put in force before the server answers its first request. A file that cannot be read or holds a bad rule stops
/// the start, naming the rule and what is wrong with it.
/// </summary>
public sealed partial class FaultFile(CcfsSettings settings, FaultRules rules, ILogger<FaultFile> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.FaultsFile is not { } file)
        {
            return Task.CompletedTask;
        }

        var specs = Read(file);
        foreach (var spec in specs)
        {
            rules.Add(spec);
        }

        LogLoaded(log, specs.Count, file);
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Warning, "Put {Count} fault rule(s) from {File} in force: matching requests are answered as they say "
        + "(GET /admin/api/faults lists them, `ccfs faults clear` ends them)")]
    private static partial void LogLoaded(ILogger logger, int count, string file);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The rules of the file, each checked; throws <see cref="CcfsStartupException"/> naming every problem, rules numbered from 1.</summary>
    public static IReadOnlyList<FaultRuleSpec> Read(string file)
    {
        const string Shape = "a JSON array of rules ({\"match\":{…},\"action\":{…},\"times\":N,\"probability\":P})";
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"the fault rules file {file} cannot be read: {e.Message}");
        }

        JsonElement[] items;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            items = document.RootElement.ValueKind == JsonValueKind.Array
                ? [.. document.RootElement.EnumerateArray().Select(item => item.Clone())]
                : throw new CcfsStartupException($"the fault rules file {file} is not {Shape}");
        }
        catch (JsonException e)
        {
            throw new CcfsStartupException($"the fault rules file {file} is not valid JSON (line {(e.LineNumber ?? 0) + 1}); it must be {Shape}");
        }

        var specs = new List<FaultRuleSpec>();
        var problems = new List<string>();
        for (var i = 0; i < items.Length; i++)
        {
            var raw = System.Text.Encoding.UTF8.GetBytes(items[i].GetRawText());
            try
            {
                var spec = JsonSerializer.Deserialize<FaultRuleSpec>(raw, Admin.AdminResults.Json) ?? new FaultRuleSpec(null, null);
                problems.AddRange(spec.Problems().Select(p => $"rule {i + 1}: {p}"));
                specs.Add(spec);
            }
            catch (JsonException e)
            {
                // The options know the type once a deserialization has used them.
                problems.Add($"rule {i + 1}: {Admin.AdminBodyProblem.Describe(e, raw, Admin.AdminResults.Json.GetTypeInfo(typeof(FaultRuleSpec)))}");
            }
        }

        return problems.Count > 0 ? throw new CcfsStartupException($"the fault rules file {file} has problems: {string.Join("; ", problems)}") : specs;
    }
}
