using System.Text.Json;

namespace Ccfs.Protocol.Tests;

/// <summary>The vectors of <c>test/data/auth-v2-vectors.json</c>, made by Huawei's own Java demo.</summary>
public sealed record AuthV2Vector(
    string Name,
    string AccessKey,
    string SecretKey,
    string Timestamp,
    string Method,
    string Path,
    Dictionary<string, string> Query,
    Dictionary<string, string> SignedHeaders,
    string Body,
    string CanonicalRequest,
    string SigningKey,
    string Authorization)
{
    public override string ToString() => Name;
}

public sealed record NegativeVector(string Name, string BasedOn, string Authorization)
{
    public override string ToString() => Name;
}

internal static class AuthV2VectorFile
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    private static readonly Lazy<(AuthV2Vector[] Vectors, NegativeVector[] Negative)> Content = new(Load);

    public static IReadOnlyList<AuthV2Vector> Vectors => Content.Value.Vectors;

    public static IReadOnlyList<NegativeVector> Negative => Content.Value.Negative;

    public static AuthV2Vector Named(string name) => Vectors.Single(v => v.Name == name);

    private static (AuthV2Vector[], NegativeVector[]) Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Ccfs.Tests.TestData.AuthV2Vectors));
        var vectors = json.RootElement.GetProperty("vectors").Deserialize<AuthV2Vector[]>(Options)!;
        var negative = json.RootElement.GetProperty("negative").Deserialize<NegativeVector[]>(Options)!;
        return (vectors, negative);
    }
}
