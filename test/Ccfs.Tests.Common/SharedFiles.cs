namespace Ccfs.Tests;

/// <summary>
/// The project's fixed reference material lives in <c>../shared</c> next to the repository root: the spec's
/// auth-v2 vectors and the sample audio with their verdicts.
/// </summary>
public static class SharedFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Root { get; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));

    public static string Audio(params string[] parts) => Path.Combine([Root, "audio", .. parts]);

    public static string Spec(string name) => Path.Combine(Root, "spec", name);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ccfs.slnx")))
            {
                if (!Directory.Exists(Path.Combine(dir.FullName, "..", "shared")))
                {
                    throw new InvalidOperationException($"The reference folder ../shared next to {dir.FullName} is missing.");
                }

                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ccfs.slnx not found above " + AppContext.BaseDirectory);
    }
}
