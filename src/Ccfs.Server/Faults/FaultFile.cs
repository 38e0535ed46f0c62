using System.Text.Json;
using Ccfs.Server.Configuration;
using Ccfs.Server.Hosting;

namespace Ccfs.Server.Faults;

/// <summary>
/// <c>--faults FILE</c> (<c>Ccfs:Faults:File</c>): a JSON array of rules, each as <c>POST /admin/api/faults</c> takes
/// it, put in force before the server answers its first request. A file that cannot be read or holds a bad rule stops
/// the start, naming the rule and what is wrong with it.
/// </summary>
public sealed class FaultFile(CcfsSettings settings, FaultRules rules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.FaultsFile is not { } file)
        {
            return Task.CompletedTask;
        }

        foreach (var spec in Read(file))
        {
            rules.Add(spec);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The rules of the file, each checked; throws <see cref="CcfsStartupException"/> naming every problem.</summary>
    public static IReadOnlyList<FaultRuleSpec> Read(string file)
    {
        FaultRuleSpec[]? specs;
        try
        {
            specs = JsonSerializer.Deserialize<FaultRuleSpec[]>(File.ReadAllBytes(file), Admin.AdminResults.Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CcfsStartupException($"the fault rules file {file} cannot be read: {e.Message}");
        }
        catch (JsonException e)
        {
            throw new CcfsStartupException($"the fault rules file {file} is not a JSON array of rules "
                + $"({{\"match\":{{…}},\"action\":{{…}},\"times\":N,\"probability\":P}}): {e.Message}");
        }

        var problems = (specs ?? []).SelectMany((spec, i) => (spec ?? new FaultRuleSpec(null, null)).Problems().Select(p => $"rule {i}: {p}"))
            .ToList();
        return problems.Count > 0
            ? throw new CcfsStartupException($"the fault rules file {file} has problems: {string.Join("; ", problems)}")
            : specs ?? [];
    }
}
