namespace Ccfs.Protocol.Auth;

/// <summary>What a client signs apart from the body: the request line and the headers it chooses to sign.</summary>
public sealed class RequestToSign
{
    public required string Method { get; init; }

    /// <summary>The path exactly as it goes on the wire, without the query.</summary>
    public required string Path { get; init; }

    /// <summary>Query parameters with their decoded values; keys are unique.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Signed headers, name to the exact value sent. <c>host</c> must be among them for CC-FS.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }
}
