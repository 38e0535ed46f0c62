using System.Net;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests;

/// <summary>deleteFile with one location: what goes, what stays, and every refusal with nothing touched.</summary>
public sealed class DeleteTests(CcfsFactory factory) : IClassFixture<CcfsFactory>
{
    private const string NotFound = "The file does not exist.";

    [Fact]
    public async Task A_deleted_file_leaves_disk_and_catalog_and_a_second_delete_is_0300011()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);
        var stored = Path.Combine(factory.LocationRoot(), fileName[3..]);
        Assert.True(File.Exists(stored));

        var deleted = await client.DeleteAsync(fileName);
        var again = await client.DeleteAsync(fileName);

        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        Assert.False(File.Exists(stored));
        Assert.Null(await factory.FindAsync(fileName[2..]));
        Assert.DoesNotContain(factory.CatalogRows(), r => r.StartsWith(fileName[2..], StringComparison.Ordinal));
        await CcfsAnswer.AssertTripleAsync(again, "0300011", NotFound);
    }

    [Fact]
    public async Task The_lower_case_drive_and_back_slashes_name_the_same_file()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        var deleted = await client.DeleteAsync("y:" + fileName[2..].Replace('/', '\\'));

        await CcfsAnswer.AssertTripleAsync(deleted, "0", "success");
        Assert.False(File.Exists(Path.Combine(factory.LocationRoot(), fileName[3..])));
    }

    [Fact]
    public async Task Naming_the_only_location_deletes_the_file()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, "0"), "0", "success");

        Assert.Null(await factory.FindAsync(fileName[2..]));
        Assert.False(File.Exists(Path.Combine(factory.LocationRoot(), fileName[3..])));
    }

    [Fact]
    public async Task An_empty_location_id_means_every_location()
    {
        var client = factory.Signed();
        var fileName = await client.StoreAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName, ""), "0", "success");

        Assert.Null(await factory.FindAsync(fileName[2..]));
    }

    [Fact]
    public async Task A_file_never_stored_is_0300011()
    {
        await AssertRefusedAsync(c => c.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav"), "0300011", NotFound);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("256")]
    [InlineData(" 0")]
    public async Task An_unknown_location_is_0300004_and_the_file_stays(string locationId)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await AssertRefusedAsync(c => c.DeleteAsync(fileName, locationId), "0300004", "The format of locationId is incorrect.");

        Assert.NotNull(await factory.FindAsync(fileName[2..]));
    }

    [Fact]
    public async Task A_location_id_of_the_wrong_type_is_0300004()
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        await AssertRefusedAsync(c => c.DeleteAsync(fileName, new[] { "0" }), "0300004", "The format of locationId is incorrect.");
    }

    [Theory]
    [InlineData("""{}""", "0300001", "The value of fileName cannot be null.")]
    [InlineData("""{"fileName":null}""", "0300001", "The value of fileName cannot be null.")]
    [InlineData("""{"fileName":""}""", "0300002", "The value of fileName cannot be an empty string.")]
    [InlineData("""{"fileName":53}""", "0300004", "The format of fileName is incorrect.")]
    [InlineData("""{"fileName":"Y:/3rdfile/53/other/x.wav"}""", "0300004", "The format of fileName is incorrect.")]
    [InlineData("""{"fileName":"Y:/3rdfile/53/thirdvoicebotfile"}""", "0300004", "The format of fileName is incorrect.")]
    [InlineData("""{"fileName":"Y:/3rdfile/53/thirdvoicebotfile/sub/x.wav"}""", "0300004", "The format of fileName is incorrect.")]
    [InlineData("""{"fileName":"Y:/voice/53/IVRrecordFile/x.wav"}""", "0300004", "The format of fileName is incorrect.")]
    public async Task The_fileName_rules(string msgBody, string code, string desc)
    {
        await AssertRefusedAsync(c => c.PostAsync(CcfsPaths.DeleteFile, SignedClient.Envelope(msgBody)), code, desc);
    }

    [Theory]
    [InlineData("", "0300007", "The params of requestBody is null.")]
    [InlineData("""{"msgBody":{"fileName":"Y:/3rdfile/53/thirdvoicebotfile/x.wav"}}""", "0300007", "The params of requestBody is null.")]
    [InlineData("""{"request":{"version":"1.0"},"msgBody":{"fileName":"Y:/3rdfile/53/thirdvoicebotfile/x.wav"}}""", "0300006",
        "The value of version is error, current version is 2.0 .")]
    public async Task The_envelope_rules(string body, string code, string desc)
    {
        await AssertRefusedAsync(c => c.PostAsync(CcfsPaths.DeleteFile, System.Text.Encoding.UTF8.GetBytes(body)), code, desc);
    }

    [Fact]
    public async Task Another_tenants_file_is_401_and_stays()
    {
        var theirs = await factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).StoreAsync(Samples.Sine, CcfsFactory.OtherVdn);
        var before = factory.Snapshot();

        var response = await factory.Signed().DeleteAsync(theirs);

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.DeleteFile);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_bad_signature_is_401_and_deletes_nothing()
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var before = factory.Snapshot();

        var response = await factory.Signed(secretKey: "wrong").DeleteAsync(fileName);

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, CcfsPaths.DeleteFile);
        Assert.Equal(before, factory.Snapshot());
    }

    [Fact]
    public async Task A_file_placed_in_the_upload_folder_by_hand_can_be_deleted()
    {
        var placed = Path.Combine(factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile", "migrated_prompt.wav");
        Directory.CreateDirectory(Path.GetDirectoryName(placed)!);
        await File.WriteAllBytesAsync(placed, Samples.Sine);

        var response = await factory.Signed().DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/migrated_prompt.wav");

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.False(File.Exists(placed));
    }

    private async Task AssertRefusedAsync(Func<SignedClient, Task<HttpResponseMessage>> send, string code, string desc)
    {
        var before = factory.Snapshot();

        var response = await send(factory.Signed());

        await CcfsAnswer.AssertTripleAsync(response, code, desc);
        Assert.Equal(before, factory.Snapshot());
    }
}
