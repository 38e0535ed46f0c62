using System.Net;
using System.Security.Cryptography;
using Ccfs.Protocol;
using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// getFileHash in single-location and in pool mode: the digest of the bytes on disk, not of the catalog's memory. The
/// refusals every path interface shares are in <see cref="PathRequestRefusalTests"/>.
/// </summary>
public abstract class HashTests(CcfsFactory factory)
{
    /// <summary>The server under test, for the tests of one mode.</summary>
    protected CcfsFactory Factory => factory;

    [Fact]
    public async Task The_hash_is_the_sha256_of_the_uploaded_bytes_and_echoes_the_name()
    {
        var wav = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        var fileName = await factory.Signed().StoreAsync(wav);

        var json = await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName), "0", "success");
        var onLocation = await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName, "0"), "0", "success");

        var data = json.GetProperty("resultData");
        Assert.Equal(fileName, data.GetProperty("fileName").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), data.GetProperty("hash").GetString());
        Assert.Equal(data.GetProperty("hash").GetString(), onLocation.GetProperty("resultData").GetProperty("hash").GetString());
    }

    [Fact]
    public async Task A_corrupted_copy_is_hashed_as_it_is_and_counted()
    {
        using var problems = new IntegrityProblems(factory);
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var corrupted = factory.ReadCopy(fileName)!;
        corrupted[^1] ^= 0xFF;
        factory.PutStored(fileName[3..], corrupted);

        var json = await CcfsAnswer.AssertTripleAsync(await factory.Signed().HashAsync(fileName), "0", "success");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(corrupted)), json.GetProperty("resultData").GetProperty("hash").GetString());
        Assert.Equal([("0", "corrupt")], problems.Seen);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("7")]
    [InlineData("512")]
    [InlineData(" 0")]
    public async Task An_unknown_location_is_0300004(string locationId)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName, locationId), "0300004", "The format of locationId is incorrect.");
    }

    [Fact]
    public async Task A_location_id_of_the_wrong_type_is_0300004()
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName, new[] { "0" }), "0300004", "The format of locationId is incorrect.");
    }


    /// <summary>Reads the integrity counter of one server instance, from what it was when this was made.</summary>
    public sealed class IntegrityProblems(CcfsFactory factory) : IDisposable
    {
        private readonly CcfsMetrics _metrics = factory.Services.GetRequiredService<CcfsMetrics>();
        private readonly Dictionary<(string, string), double> _start = Snapshot(factory.Services.GetRequiredService<CcfsMetrics>());

        public IReadOnlyList<(string Location, string Kind)> Seen =>
        [
            .. Snapshot(_metrics).SelectMany(p => Enumerable.Repeat(p.Key, (int)(p.Value - _start.GetValueOrDefault(p.Key)))),
        ];

        public void Dispose()
        {
        }

        private static Dictionary<(string, string), double> Snapshot(CcfsMetrics metrics) =>
            metrics.IntegrityProblems.GetAllLabelValues().ToDictionary(l => (l[0], l[1]), l => metrics.IntegrityProblems.WithLabels(l).Value);
    }
}

public sealed class SingleLocationHashTests(CcfsFactory factory) : HashTests(factory), IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task A_copy_gone_from_disk_is_0300011_and_counted_missing()
    {
        using var problems = new IntegrityProblems(Factory);
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);
        Factory.DeleteStored(fileName[3..]);

        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName), "0300011", "The file does not exist.");

        Assert.Equal([("0", "missing")], problems.Seen);
    }

    [Fact]
    public async Task A_pool_location_is_unknown_without_pool_mode()
    {
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName, "256"), "0300004", "The format of locationId is incorrect.");
    }

    [Fact]
    public async Task The_algorithm_and_the_field_name_are_configurable()
    {
        using var md5 = CcfsFactory.With(new() { ["Ccfs:Compatibility:HashAlgorithm"] = "MD5", ["Ccfs:Compatibility:HashField"] = "md5" });
        var fileName = await md5.Signed().StoreAsync(Samples.Sine);

        var json = await CcfsAnswer.AssertTripleAsync(await md5.Signed().HashAsync(fileName), "0", "success");

        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Samples.Sine)), json.GetProperty("resultData").GetProperty("md5").GetString());
    }

    [Fact]
    public async Task Past_the_per_account_limit_the_answer_is_0300009_and_other_accounts_are_not_affected()
    {
        using var limited = CcfsFactory.With(new() { ["Ccfs:Limits:Hash:PermitLimit"] = "2", ["Ccfs:Limits:Hash:Window"] = "01:00:00" });
        var fileName = await limited.Signed().StoreAsync(Samples.Sine);

        var first = await limited.Signed().HashAsync(fileName);
        var second = await limited.Signed().HashAsync(fileName);
        var third = await limited.Signed().HashAsync(fileName);
        var otherAccount = await limited.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey)
            .HashAsync("Y:/3rdfile/54/thirdvoicebotfile/AAAAAAAA_1631869974029.wav");

        await CcfsAnswer.AssertTripleAsync(first, "0", "success");
        await CcfsAnswer.AssertTripleAsync(second, "0", "success");
        await CcfsAnswer.AssertTripleAsync(third, "0300009", "Reached the query flow control threshold.");
        await CcfsAnswer.AssertTripleAsync(otherAccount, "0300011", "The file does not exist.");
    }
}

public sealed class PoolHashTests(PoolFactory factory) : HashTests(factory), IClassFixture<PoolFactory>
{
    [Fact]
    public async Task When_location_0_lacks_its_copy_the_hash_comes_from_256_and_0_is_counted_missing()
    {
        using var problems = new IntegrityProblems(Factory);
        var wav = Samples.Read("valid", "prompt-alaw-8k-odd-length.wav");
        var fileName = await Factory.Signed().StoreAsync(wav);
        Factory.DeleteStored(fileName[3..], "0");

        var json = await CcfsAnswer.AssertTripleAsync(await Factory.Signed().HashAsync(fileName), "0", "success");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wav)), json.GetProperty("resultData").GetProperty("hash").GetString());
        Assert.Equal([("0", "missing")], problems.Seen);
    }

    [Fact]
    public async Task Naming_the_location_that_lacks_its_copy_is_0300011_and_counted_missing()
    {
        using var problems = new IntegrityProblems(Factory);
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);
        Factory.DeleteStored(fileName[3..], "0");

        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName, "0"), "0300011", "The file does not exist.");

        Assert.Equal([("0", "missing")], problems.Seen);
    }

    [Fact]
    public async Task After_location_0_copy_is_deleted_the_hash_comes_from_256_with_nothing_counted()
    {
        using var problems = new IntegrityProblems(Factory);
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);
        await CcfsAnswer.AssertTripleAsync(await Factory.Signed().DeleteAsync(fileName, "0"), "0", "success");

        var json = await CcfsAnswer.AssertTripleAsync(await Factory.Signed().HashAsync(fileName), "0", "success");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Samples.Sine)), json.GetProperty("resultData").GetProperty("hash").GetString());
        await Factory.AssertRefusedAsync(c => c.HashAsync(fileName, "0"), "0300011", "The file does not exist.");
        Assert.Empty(problems.Seen);
    }
}
