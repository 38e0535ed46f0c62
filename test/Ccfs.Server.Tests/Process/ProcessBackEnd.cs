namespace Ccfs.Server.Tests.Process;

/// <summary>
/// A process test's data dir and, when it runs on PostgreSQL, a database of its own (made at first use, so every restart
/// of the server in one test meets the same catalog); both are removed when the test ends.
/// </summary>
internal sealed class ProcessBackEnd(string name) : IDisposable
{
    private string? _catalog;

    public string DataDir { get; } = Path.Combine(Path.GetTempPath(), name, Guid.NewGuid().ToString("N"));

    /// <summary>Adds the data dir and, for <paramref name="catalog"/> <c>postgres</c>, this test's database to <paramref name="settings"/>.</summary>
    public Dictionary<string, string> Apply(Dictionary<string, string> settings, string catalog)
    {
        settings["Ccfs__DataDir"] = DataDir;
        if (catalog == "postgres")
        {
            _catalog ??= PostgresCluster.NewCatalog();
            settings.WithPostgresCatalog(_catalog);
        }

        return settings;
    }

    public void Dispose()
    {
        if (_catalog is not null)
        {
            PostgresCluster.Drop(_catalog);
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
