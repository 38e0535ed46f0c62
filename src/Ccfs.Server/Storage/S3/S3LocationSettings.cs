using System.Text.RegularExpressions;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Storage.S3;

/// <summary>An S3 location's store, bucket and credentials, checked (<see cref="Load"/>).</summary>
/// <param name="Prefix">Empty, or segments each followed by '/'.</param>
/// <param name="Timeout">The bound on one operation (retries included) and on each wait for download bytes.</param>
public sealed partial record S3LocationSettings(Uri ServiceUrl, string Bucket, string Prefix, string AccessKey, string SecretKey,
    string Region, bool ForcePathStyle, TimeSpan Timeout)
{
    /// <summary>For logs and messages: where the objects are, never the secret key.</summary>
    public override string ToString() => $"s3://{Bucket}/{Prefix} at {ServiceUrl}";

    /// <summary>
    /// Checks the <c>S3</c> settings of location <paramref name="key"/> (<c>Ccfs:Locations:N</c>); every problem is added to
    /// <paramref name="errors"/> with its key path. Null if there was any.
    /// </summary>
    public static S3LocationSettings? Load(S3LocationOptions? options, string key, List<string> errors)
    {
        if (options is null)
        {
            errors.Add($"{key}:Kind is S3 but {key}:S3 is missing; set {key}:S3:ServiceUrl, Bucket, AccessKey and SecretKey");
            return null;
        }

        var count = errors.Count;
        key += ":S3";
        Uri? serviceUrl = null;
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            errors.Add($"{key}:ServiceUrl is empty; give the store's endpoint, such as http://127.0.0.1:7480");
        }
        else if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out serviceUrl)
            || serviceUrl.Scheme is not ("http" or "https") || serviceUrl.Query.Length > 0 || serviceUrl.Fragment.Length > 0)
        {
            errors.Add($"{key}:ServiceUrl '{options.ServiceUrl}' is not an http or https URL without query, such as http://127.0.0.1:7480");
        }

        if (options.Bucket is null || !BucketPattern().IsMatch(options.Bucket) || options.Bucket.Contains("..", StringComparison.Ordinal))
        {
            errors.Add($"{key}:Bucket '{options.Bucket}' is not a bucket name: 3-63 characters of a-z 0-9 . -, "
                + "beginning and ending with a letter or digit");
        }

        var prefix = options.Prefix ?? "";
        if (prefix.Length > 0 && (!prefix.EndsWith('/') || prefix.StartsWith('/')
            || prefix[..^1].Split('/').Any(s => s.Length == 0 || s is "." or ".." || s.Any(char.IsControl) || s.Contains('\\'))))
        {
            errors.Add($"{key}:Prefix '{prefix}' must be empty or folder names each followed by '/', such as ccfs/ "
                + "(no leading '/', no empty, '.' or '..' segment)");
        }

        foreach (var (name, value) in new[] { ("AccessKey", options.AccessKey), ("SecretKey", options.SecretKey), ("Region", options.Region) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{key}:{name} is empty");
            }
        }

        if (options.Timeout < TimeSpan.FromSeconds(1) || options.Timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{key}:Timeout is {options.Timeout}; it must be between 00:00:01 and 00:10:00");
        }

        return errors.Count > count
            ? null
            : new S3LocationSettings(serviceUrl!, options.Bucket!, prefix, options.AccessKey!, options.SecretKey!, options.Region,
                options.ForcePathStyle, options.Timeout);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();
}
