namespace Ccfs.Protocol.Auth;

/// <summary>A request as the server received it, in the terms auth-v2 verification needs.</summary>
public sealed class ReceivedRequest
{
    public required string Method { get; init; }

    /// <summary>The raw request path, before the query and without any decoding or normalisation.</summary>
    public required string RawPath { get; init; }

    /// <summary>The query, form-decoded (<see cref="FormQuery.Parse(string?)"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Returns a header's value as received (repeated headers joined with ','), or null when absent.</summary>
    public required Func<string, string?> GetHeader { get; init; }

    /// <summary>
    /// The body is bytes, not text (an admin upload of a WAV): it is percent-encoded byte by byte as always, but the
    /// rule that a body must be valid UTF-8 does not apply. CC-FS requests never set this.
    /// </summary>
    public bool BinaryBody { get; init; }
}
