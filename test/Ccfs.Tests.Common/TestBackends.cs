namespace Ccfs.Tests;

/// <summary>
/// Which back-ends a test run targets, so the functional suite runs unchanged against each: <c>CCFS_TEST_CATALOG</c> =
/// <c>sqlite</c> (the default) or <c>postgres</c>. Tests of one back-end's own behaviour (the SQLite file lock, a disk
/// location's links) carry a trait naming it, and a run against another back-end filters them out.
/// </summary>
public static class TestBackends
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static string Catalog { get; } = (Environment.GetEnvironmentVariable("CCFS_TEST_CATALOG") ?? Sqlite).ToLowerInvariant();
}
