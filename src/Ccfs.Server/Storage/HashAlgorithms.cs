using System.Security.Cryptography;

namespace Ccfs.Server.Storage;

/// <summary>The digests getFileHash can answer with, by their configuration names.</summary>
public static class HashAlgorithms
{
    public static IReadOnlyList<string> Names { get; } = ["sha256", "sha1", "md5", "sha512"];

    public static bool IsKnown(string? name) => Names.Contains(name?.ToLowerInvariant());

    public static HashAlgorithmName Parse(string name) => name.ToLowerInvariant() switch
    {
        "sha256" => HashAlgorithmName.SHA256,
        "sha1" => HashAlgorithmName.SHA1,
        "md5" => HashAlgorithmName.MD5,
        "sha512" => HashAlgorithmName.SHA512,
        _ => throw new ArgumentException($"unknown hash algorithm '{name}'", nameof(name)),
    };
}
