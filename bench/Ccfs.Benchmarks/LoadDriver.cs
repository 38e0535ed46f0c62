using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Ccfs.Protocol;
using Ccfs.Protocol.Auth;

namespace Ccfs.Benchmarks;

/// <summary>
/// A bounded upload load against a running server: <c>--requests</c> signed uploads of <c>--size</c> bytes,
/// <c>--concurrency</c> at a time. Prints throughput, latency percentiles and the resultCodes seen.
/// (The <c>ccfs bench</c> command will supersede it.)
/// </summary>
public static class LoadDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        var endpoint = new Uri(options.GetValueOrDefault("endpoint", "http://127.0.0.1:5080"));
        var credential = new AccessKeyCredential(options.GetValueOrDefault("ak", "ccfs-dev-ak"),
            options.GetValueOrDefault("sk", "ccfs-dev-sk-not-for-production"));
        var vdn = options.GetValueOrDefault("vdn", "1");
        var size = int.Parse(options.GetValueOrDefault("size", "5242880"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);
        var requests = int.Parse(options.GetValueOrDefault("requests", "160"), CultureInfo.InvariantCulture);

        var body = new UploadFixture(size).Body;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
        if (options.ContainsKey("insecure"))
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        using var http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromMinutes(5) };
        var latencies = new List<double>();
        var codes = new Dictionary<string, int>();
        var next = 0;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var request = Build(endpoint, credential, vdn, body);
                string code;
                try
                {
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    code = response.IsSuccessStatusCode
                        ? JsonDocument.Parse(text).RootElement.GetProperty("resultCode").GetString()!
                        : $"HTTP {(int)response.StatusCode}";
                }
                catch (HttpRequestException e)
                {
                    code = e.GetType().Name;
                }

                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                lock (latencies)
                {
                    latencies.Add(elapsed);
                    codes[code] = codes.GetValueOrDefault(code) + 1;
                }
            }
        }));
        total.Stop();

        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{requests} uploads of {size} bytes, {concurrency} concurrent, in {total.Elapsed.TotalSeconds:F2} s: "
            + $"{requests / total.Elapsed.TotalSeconds:F1} uploads/s, {requests * (double)size / total.Elapsed.TotalSeconds / 1e6:F1} MB/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"latency ms: p50 {Percentile(0.50):F0}, p90 {Percentile(0.90):F0}, p99 {Percentile(0.99):F0}, max {latencies[^1]:F0}"));
        Console.WriteLine("resultCodes: " + string.Join(", ", codes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} x{c.Value}")));
        return codes.Keys.All(k => k == ResultCodes.Success) ? 0 : 1;
    }

    private static HttpRequestMessage Build(Uri endpoint, AccessKeyCredential credential, string vdn, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{CcfsPaths.UploadFile}?vdnId={vdn}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CcfsPaths.JsonContentType);
        var authorization = AuthV2Signer.Sign(new RequestToSign
        {
            Method = "POST",
            Path = CcfsPaths.UploadFile,
            Query = [new("vdnId", vdn)],
            Headers = [new("host", endpoint.Authority), new("content-type", request.Content.Headers.ContentType.ToString())],
        }, credential, AuthV2Timestamp.Format(DateTimeOffset.UtcNow), body);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[args[i][2..]] = hasValue ? args[++i] : "";
        }

        return options;
    }
}
