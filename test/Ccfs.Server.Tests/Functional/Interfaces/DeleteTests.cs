namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// deleteFile in single-location and in pool mode: what goes, what stays, and the refusals of its own, with nothing
/// touched. The refusals every path interface shares are in <see cref="PathRequestRefusalTests"/>.
/// </summary>
public abstract class DeleteTests(CcfsFactory factory)
{
    /// <summary>The server under test, for the tests of one mode.</summary>
    protected CcfsFactory Factory => factory;

    protected const string NotFound = "The file does not exist.";

    [Fact]
    public async Task A_deleted_file_leaves_disk_and_catalog_and_a_second_delete_is_0300011()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);
        Assert.Equal(factory.LocationIds, factory.LocationsHolding(fileName));

        var deleted = await client.DeleteAsync(fileName);

        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        Assert.Empty(factory.LocationsHolding(fileName));
        Assert.Null(await factory.FindAsync(fileName[2..]));
        Assert.DoesNotContain(factory.CatalogRows(), r => r.StartsWith(fileName[2..], StringComparison.Ordinal));
        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName), "0300011", NotFound);
    }

    [Fact]
    public async Task The_lower_case_drive_and_back_slashes_name_the_same_file()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        var deleted = await client.DeleteAsync("y:" + fileName[2..].Replace('/', '\\'));

        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        Assert.Empty(factory.LocationsHolding(fileName));
    }

    [Fact]
    public async Task An_empty_location_id_means_every_location()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, ""), "0", "success");

        Assert.Null(await factory.FindAsync(fileName[2..]));
        Assert.Empty(factory.LocationsHolding(fileName));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("9")]
    [InlineData("512")]
    [InlineData(" 0")]
    [InlineData("00")]
    public async Task An_unknown_location_is_0300004_and_every_copy_stays(string locationId)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName, locationId), "0300004", "The format of locationId is incorrect.");

        Assert.Equal(factory.LocationIds, (await factory.FindAsync(fileName[2..]))!.Locations.Order(StringComparer.Ordinal));
        Assert.Equal(factory.LocationIds, factory.LocationsHolding(fileName));
    }

    [Fact]
    public async Task A_location_id_of_the_wrong_type_is_0300004()
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName, new[] { "0" }), "0300004", "The format of locationId is incorrect.");
        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName, true), "0300004", "The format of locationId is incorrect.");
    }

    [Fact]
    public async Task A_file_placed_in_the_upload_folder_by_hand_can_be_deleted()
    {
        const string placed = "3rdfile/53/thirdvoicebotfile/migrated_prompt.wav";
        factory.PutStored(placed, Samples.Sine);

        var response = await factory.Signed().DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/migrated_prompt.wav");

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.Null(factory.ReadStored(placed));
    }
}

public sealed class SingleLocationDeleteTests(CcfsFactory factory) : DeleteTests(factory), IClassFixture<CcfsFactory>
{
    [Fact]
    public async Task Naming_the_only_location_deletes_the_file()
    {
        var client = Factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, "0"), "0", "success");

        Assert.Null(await Factory.FindAsync(fileName[2..]));
        Assert.False(Factory.HasCopy(fileName));
    }

    [Fact]
    public async Task A_pool_location_is_unknown_without_pool_mode()
    {
        var fileName = await Factory.Signed().StoreAsync(Samples.Sine);

        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName, "256"), "0300004", "The format of locationId is incorrect.");
    }
}

public sealed class PoolDeleteTests(PoolFactory factory) : DeleteTests(factory), IClassFixture<PoolFactory>
{
    [Fact]
    public async Task A_location_that_holds_no_copy_is_0300011_and_the_other_copy_stays()
    {
        var client = Factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, "0"), "0", "success");

        await Factory.AssertRefusedAsync(c => c.DeleteAsync(fileName, "0"), "0300011", NotFound);

        Assert.Equal(["256"], (await Factory.FindAsync(fileName[2..]))!.Locations);
        Assert.True(Factory.HasCopy(fileName, "256"));
    }
}
