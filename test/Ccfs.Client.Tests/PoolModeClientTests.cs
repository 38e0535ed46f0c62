using Ccfs.Client;

namespace Ccfs.Client.Tests;

/// <summary>A server in CTI pool mode, keeping one copy in location 0 and one in location 256.</summary>
public sealed class ClientPoolFactory() : CcfsFactory(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" });

/// <summary>The SDK's locationId on delete and hash, against a pool-mode server.</summary>
public sealed class PoolModeClientTests(ClientPoolFactory factory) : IClassFixture<ClientPoolFactory>
{
    [Fact]
    public async Task Deleting_at_one_location_removes_only_that_copy()
    {
        var client = ClientFixture.Client(factory);
        var upload = await client.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn);
        var name = upload.Data!.FileName;

        var deleted = await client.DeleteAsync(name, "256");
        var hashAt256 = await client.GetFileHashAsync(name, "256");
        var hashAt0 = await client.GetFileHashAsync(name, "0");

        Assert.Equal(["0", "256"], upload.Data.LocationIds);
        Assert.True(deleted.IsSuccess, deleted.Reason);
        Assert.False(factory.HasCopy(name, "256"));
        Assert.True(factory.HasCopy(name, "0"));
        Assert.Equal("0300011", hashAt256.ResultCode);
        Assert.True(hashAt0.IsSuccess);
    }

    [Fact]
    public async Task Deleting_without_a_location_removes_every_copy()
    {
        var client = ClientFixture.Client(factory);
        var name = (await client.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;

        var deleted = await client.DeleteAsync(name);

        Assert.True(deleted.IsSuccess);
        Assert.False(factory.HasCopy(name, "0"));
        Assert.False(factory.HasCopy(name, "256"));
    }

    [Fact]
    public async Task Deleting_at_a_location_the_server_does_not_have_is_0300004()
    {
        var client = ClientFixture.Client(factory);
        var name = (await client.UploadAsync(new MemoryStream(Samples.Sine), CcfsFactory.Vdn)).Data!.FileName;

        var response = await client.DeleteAsync(name, "7");

        Assert.Equal(("0300004", "The format of locationId is incorrect."), (response.ResultCode, response.ResultDesc));
        Assert.True(factory.HasCopy(name, "256"));
    }
}
