namespace Ccfs.Tests;

/// <summary>
/// Which back-ends a test run targets, so the functional suite runs unchanged against each: <c>CCFS_TEST_CATALOG</c> =
/// <c>sqlite</c> (the default) or <c>postgres</c>, and <c>CCFS_TEST_STORE</c> = <c>disk</c> (the default) or <c>s3</c>
/// (every location of every server factory in a bucket of its own, on the endpoint <see cref="CephRgw"/> gives). Tests of
/// one back-end's own behaviour (the SQLite file lock, a disk location's links) carry a trait naming it
/// (<c>Catalog=Sqlite</c>, <c>Storage=Disk</c>), and a run against another back-end filters them out.
/// </summary>
public static class TestBackends
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string Disk = "disk";
    public const string S3 = "s3";

    public static string Catalog { get; } = (Environment.GetEnvironmentVariable("CCFS_TEST_CATALOG") ?? Sqlite).ToLowerInvariant();

    public static string Store { get; } = (Environment.GetEnvironmentVariable("CCFS_TEST_STORE") ?? Disk).ToLowerInvariant();

    public static bool UsesS3 => Store == S3;
}
