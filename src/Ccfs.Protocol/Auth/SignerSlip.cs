namespace Ccfs.Protocol.Auth;

/// <summary>How a slipped signer percent-encodes.</summary>
public enum SlipEncoding
{
    /// <summary>As auth-v2 does: every byte outside <c>A-Z a-z 0-9 - . _ ~</c> as <c>%XX</c>, upper-case hex.</summary>
    Standard,

    /// <summary><c>%xx</c> in lower case.</summary>
    LowerHex,

    /// <summary>Java's <c>URLEncoder</c>: a space as <c>+</c>, <c>*</c> kept, <c>~</c> as <c>%7E</c>.</summary>
    UrlEncoder,

    /// <summary>Not encoded at all.</summary>
    None,

    /// <summary>Python's <c>urllib.parse.quote</c> without <c>safe=''</c>: <c>/</c> kept.</summary>
    SlashKept,

    /// <summary>Python's <c>urllib.parse.quote_plus</c>: a space as <c>+</c>.</summary>
    SpaceAsPlus,

    /// <summary>JavaScript's <c>encodeURIComponent</c>: <c>! ' ( ) *</c> kept.</summary>
    UriComponent,
}

/// <summary>Which bytes a slipped signer keys the second HMAC with.</summary>
public enum SlipKey
{
    /// <summary>The signing key's 64 lower-case hex characters, as auth-v2 does.</summary>
    LowerHex,

    /// <summary>The signing key's 64 characters in upper case.</summary>
    UpperHex,

    /// <summary>The signing key's 32 bytes, never written as hex.</summary>
    RawBytes,

    /// <summary>The SK itself: the first HMAC skipped.</summary>
    SecretKey,
}

/// <summary>
/// One mistake a signer makes, as the single change from auth-v2 that produces it. <see cref="Does"/> completes
/// "a signer that …"; <see cref="Fix"/> says what to do instead.
/// </summary>
public sealed record SignerSlip(string Does, string Fix)
{
    public SlipEncoding Values { get; init; }

    public SlipEncoding Body { get; init; }

    public SlipKey Key { get; init; }

    public string LineBreak { get; init; } = "\n";

    public bool FinalLineBreak { get; init; }

    public bool BodyLeftOut { get; init; }

    public bool NoBreakBeforeBody { get; init; }

    public bool EmptyQueryLine { get; init; }

    public bool UnsortedHeaders { get; init; }

    /// <summary>The value the signer signed for a header, from the value received; null when the slip cannot apply.</summary>
    public Func<string, string, string?>? SignedValue { get; init; }
}
