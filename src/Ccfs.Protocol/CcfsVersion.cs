using System.Reflection;

namespace Ccfs.Protocol;

/// <summary>
/// The product's one version (<c>VersionPrefix</c> in src/Directory.Build.props), the same for the server, the SDK and
/// the CLI, and the commit it was built from when the build knew it.
/// </summary>
public static class CcfsVersion
{
    private static readonly string Informational =
        typeof(CcfsVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The version without build metadata, such as <c>0.9.0</c>.</summary>
    public static string Version { get; } = Informational.Split('+')[0];

    /// <summary>The first 12 characters of the commit, or null when the build did not record one.</summary>
    public static string? Commit { get; } = Informational.Split('+') is [_, var commit, ..] && commit.Length > 0 ? commit[..Math.Min(12, commit.Length)] : null;

    /// <summary><c>0.9.0</c>, or <c>0.9.0 (commit 1a2b3c4d5e6f)</c>.</summary>
    public static string Describe() => Commit is null ? Version : $"{Version} (commit {Commit})";
}
