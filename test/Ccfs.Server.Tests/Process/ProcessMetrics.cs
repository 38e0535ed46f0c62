using System.Globalization;
using System.Text.RegularExpressions;

namespace Ccfs.Server.Tests.Process;

/// <summary>Reads a running server's Prometheus metrics: what it does with a raw socket is seen only there.</summary>
internal static class ProcessMetrics
{
    /// <summary>The value of one series, e.g. <c>ccfs_x_total{reason="y"}</c>; 0 when it is not exported yet.</summary>
    public static async Task<double> ValueAsync(HttpClient http, string series)
    {
        var text = await http.GetStringAsync("/metrics");
        var match = Regex.Match(text, "^" + Regex.Escape(series) + " (?<value>\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Polls the series a bounded number of times (30 s) until it has <paramref name="value"/>.</summary>
    public static async Task WaitForAsync(HttpClient http, string series, double value)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await ValueAsync(http, series) == value)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{series} never became {value}; it is {await ValueAsync(http, series)}");
    }
}
