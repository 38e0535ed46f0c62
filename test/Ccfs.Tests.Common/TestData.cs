namespace Ccfs.Tests;

/// <summary>
/// The fixed reference material the tests read, kept in the repository under <c>test/data</c>: the sample audio with
/// the verdict each file must reach (<c>test/data/audio/README.md</c>) and the auth-v2 vectors made by Huawei's own
/// Java demo.
/// </summary>
public static class TestData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Root { get; } = Path.Combine(RepositoryRoot, "test", "data");

    public static string AuthV2Vectors { get; } = Path.Combine(Root, "auth-v2-vectors.json");

    public static string Audio(params string[] parts) => Path.Combine([Root, "audio", .. parts]);

    /// <summary>
    /// The audio files of a folder in a fixed order. Property tests pick a file by a generated index, so the order must
    /// not depend on the file system, or a printed seed would pick another file elsewhere and not reproduce its failure.
    /// </summary>
    public static string[] AudioFiles(string folder) => [.. Directory.GetFiles(Audio(folder)).Order(StringComparer.Ordinal)];

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ccfs.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ccfs.slnx not found above " + AppContext.BaseDirectory);
    }
}
