namespace Ccfs.Cli;

/// <summary>What <c>ccfs</c> exits with; docs/cli.md lists them.</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for succeeded (and, for <c>hash --compare</c>, the hashes match).</summary>
    public const int Success = 0;

    /// <summary>The endpoint answered with a resultCode other than 0 or without what was asked for, or a conformance check failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or local input: an unknown option, a missing file, audio that cannot be converted, a local file that cannot be read or written.</summary>
    public const int Usage = 2;

    /// <summary>The endpoint refused the signature or the VDN (401), or locked this client's address (403).</summary>
    public const int AuthenticationRefused = 3;

    /// <summary>The endpoint could not be reached, its TLS certificate was not trusted, or it answered outside CC-FS.</summary>
    public const int Unreachable = 4;

    /// <summary><c>hash --compare</c>: the stored file's digest is not the local file's.</summary>
    public const int HashMismatch = 5;

    /// <summary>Ctrl-C or SIGTERM stopped the command before it finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
