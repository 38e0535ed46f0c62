namespace Ccfs.Protocol.Auth;

/// <summary>
/// A parsed <c>Authorization: auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}</c> value (spec §2.2, §2.9 step 2).
/// </summary>
public sealed class AuthorizationHeader
{
    public const string Scheme = "auth-v2";

    /// <summary>More signed headers than any sane client sends; a bound on the work a header can ask for.</summary>
    public const int MaxSignedHeaders = 32;

    /// <summary>
    /// The longest access key a header may claim (CC-FS keys are 20-40 characters). A longer one is refused before it is
    /// logged or recorded anywhere, so a client cannot fill a log or an audit trail with made-up keys.
    /// </summary>
    public const int MaxAccessKeyLength = 128;

    /// <summary>The longest header value parsed at all: room for the longest key, 32 signed header names and a signature.</summary>
    public const int MaxLength = 2048;

    private AuthorizationHeader(string accessKey, string timestamp, string signedHeaders, string[] names, string signature)
    {
        AccessKey = accessKey;
        Timestamp = timestamp;
        SignedHeaders = signedHeaders;
        SignedHeaderNames = names;
        Signature = signature;
    }

    public string AccessKey { get; }

    /// <summary>The timestamp exactly as sent; it is signed verbatim.</summary>
    public string Timestamp { get; }

    /// <summary>The signed header list exactly as sent; it is signed verbatim and never re-sorted.</summary>
    public string SignedHeaders { get; }

    public IReadOnlyList<string> SignedHeaderNames { get; }

    public string Signature { get; }

    public string AuthStringPrefix => SigningKey.Prefix(AccessKey, Timestamp, SignedHeaders);

    public static bool TryParse(string? value, out AuthorizationHeader? header, out string error)
    {
        header = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "the Authorization header is missing";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"the Authorization header is {value.Length} characters long, at most {MaxLength} are read";
            return false;
        }

        var parts = value.Split('/');
        if (parts.Length != 5)
        {
            error = $"the Authorization header has {parts.Length} '/'-separated parts, 5 expected";
            return false;
        }

        // Trim ASCII spaces around each part: the documentation itself shows "host /".
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i].Trim(' ');
        }

        if (!string.Equals(parts[0], Scheme, StringComparison.Ordinal))
        {
            error = "the Authorization header does not start with auth-v2";
            return false;
        }

        if (parts[1].Length > MaxAccessKeyLength)
        {
            error = $"the access key is {parts[1].Length} characters long, at most {MaxAccessKeyLength} are allowed";
            return false;
        }

        if (parts[1].Length == 0 || parts[2].Length == 0 || parts[3].Length == 0 || parts[4].Length == 0)
        {
            error = "the Authorization header has an empty part";
            return false;
        }

        var names = parts[3].Split(';');
        if (names.Length > MaxSignedHeaders)
        {
            error = $"more than {MaxSignedHeaders} signed headers";
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (names[i].Length == 0)
            {
                error = "the signed header list has an empty name";
                return false;
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(names[i], names[j], StringComparison.OrdinalIgnoreCase))
                {
                    error = $"the signed header list names '{names[i]}' twice";
                    return false;
                }
            }
        }

        header = new AuthorizationHeader(parts[1], parts[2], parts[3], names, parts[4]);
        error = "";
        return true;
    }
}
