using System.Net;
using System.Text;
using System.Text.Json;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// The refusals deleteFile, getFileHash and downloadFile share, in single-location and in pool mode: each is checked
/// for its HTTP status, resultCode and resultDesc (or Spring body), and must leave every location and the catalog as
/// they were.
/// </summary>
public abstract class PathRequestRefusalTests(CcfsFactory factory)
{
    private const string NeverStored = "Y:/3rdfile/53/thirdvoicebotfile/AAAAAAAA_1631869974029.wav";

    private static readonly string[] Paths = [CcfsPaths.DeleteFile, CcfsPaths.GetFileHash, CcfsPaths.DownloadFile];

    public static TheoryData<string> Interfaces() => [.. Paths];

    public static TheoryData<string, string, string, string> EnvelopeErrors()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var path in Paths)
        {
            var msgBody = SignedClient.MsgBody((PathField(path), NeverStored));
            data.Add(path, "", "0300007", "The params of requestBody is null.");
            data.Add(path, $$"""{"msgBody":{{msgBody}}}""", "0300007", "The params of requestBody is null.");
            data.Add(path, """{"request":{"version":"2.0"}}""", "0300007", "The params of requestBody is null.");
            data.Add(path, $$"""{"request":{"version":"1.0"},"msgBody":{{msgBody}}}""", "0300006",
                "The value of version is error, current version is 2.0 .");
            // Half a surrogate pair, escaped, cannot be read as text: not a name, and not "2.0".
            data.Add(path, $$"""{"\ud800":1,"request":{"version":"2.0"},"msgBody":{{msgBody}}}""", "0300007", "The params of requestBody is null.");
            data.Add(path, $$$"""{"request":{"version":"2.0"},"msgBody":{"\udc00":1,"{{{PathField(path)}}}":"x"}}""", "0300007",
                "The params of requestBody is null.");
            data.Add(path, $$"""{"request":{"version":"\ud800"},"msgBody":{{msgBody}}}""", "0300006",
                "The value of version is error, current version is 2.0 .");
        }

        return data;
    }

    public static TheoryData<string, string, string, string> PathFieldErrors()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var path in Paths)
        {
            var field = PathField(path);
            data.Add(path, "{}", "0300001", $"The value of {field} cannot be null.");
            data.Add(path, $$"""{"{{field}}":null}""", "0300001", $"The value of {field} cannot be null.");
            data.Add(path, $$"""{"{{field}}":""}""", "0300002", $"The value of {field} cannot be an empty string.");
            data.Add(path, $$"""{"{{field}}":53}""", "0300004", $"The format of {field} is incorrect.");
            data.Add(path, $$"""{"{{field}}":"Y:/3rdfile/53/thirdvoicebotfile/\ud800.wav"}""", "0300004", $"The format of {field} is incorrect.");
            var other = path == CcfsPaths.DownloadFile ? "mode" : "locationId";
            data.Add(path, $$"""{"{{field}}":"{{NeverStored}}","{{other}}":"\udc00"}""", "0300004", $"The format of {other} is incorrect.");
        }

        return data;
    }

    /// <summary>Paths that exist on disk (they are planted first) but lie outside the interface's path rule.</summary>
    public static TheoryData<string, string> OutsideTheRule()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in new[] { CcfsPaths.DeleteFile, CcfsPaths.GetFileHash })
        {
            data.Add(path, "Y:/3rdfile/53/other/x.wav");
            data.Add(path, "Y:/3rdfile/53/thirdvoicebotfile/sub/x.wav");
            data.Add(path, "Y:/3rdfile/53/IVRrecordFile/x.wav");
            data.Add(path, "Y:/voice/53/IVRrecordFile/x.wav");
            data.Add(path, "Y:/3rdfile/53/thirdvoicebotfile");
        }

        data.Add(CcfsPaths.DownloadFile, "Y:/voice/53/other/x.wav");
        data.Add(CcfsPaths.DownloadFile, "Y:/3rdfile/53/x.wav");
        data.Add(CcfsPaths.DownloadFile, "Y:/voice/53/x.wav");
        data.Add(CcfsPaths.DownloadFile, "Y:/voice/53/IVRrecordFile");
        return data;
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_bad_signature_is_401_with_the_spring_body_and_changes_nothing(string path)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var before = factory.Snapshot();

        var response = await factory.Signed(secretKey: "wrong").PostAsync(path, Body(path, fileName));

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, path);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_body_not_declared_json_is_415_with_its_reason_once_signed_and_401_when_not(string path)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var before = factory.Snapshot();

        var refused = await factory.Signed().PostAsync(path, Body(path, fileName), new() { ContentType = "application/x-www-form-urlencoded" });
        var forged = await factory.Signed(secretKey: "wrong").PostAsync(path, Body(path, fileName), new() { ContentType = "text/plain" });

        await CcfsAnswer.AssertSpringAsync(refused, HttpStatusCode.UnsupportedMediaType, path);
        Assert.Contains("is not application/json", CcfsAnswer.Reason(refused), StringComparison.Ordinal);
        await CcfsAnswer.AssertSpringAsync(forged, HttpStatusCode.Unauthorized, path);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task Another_tenants_file_is_401_with_the_spring_body_and_stays(string path)
    {
        var theirs = await factory.Signed(CcfsFactory.OtherAccessKey, CcfsFactory.OtherSecretKey).StoreAsync(Samples.Sine, CcfsFactory.OtherVdn);
        var before = factory.Snapshot();

        var response = await factory.Signed().PostAsync(path, Body(path, theirs));

        await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, path);
        Assert.Equal(before, factory.Snapshot());
        Assert.Equal(factory.LocationIds, factory.LocationsHolding(theirs));
    }

    [Theory]
    [MemberData(nameof(EnvelopeErrors))]
    public async Task The_envelope_rules(string path, string body, string code, string desc)
    {
        await AssertRefusedAsync(path, Encoding.UTF8.GetBytes(body), code, desc);
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_msgBody_encoded_twice_is_0300007_with_a_reason_that_says_so(string path)
    {
        var before = factory.Snapshot();
        var msgBody = JsonSerializer.Serialize(SignedClient.MsgBody((PathField(path), NeverStored)));

        var response = await factory.Signed().PostAsync(path, Encoding.UTF8.GetBytes($$"""{"request":{"version":"2.0"},"msgBody":{{msgBody}}}"""));

        await CcfsAnswer.AssertTripleAsync(response, "0300007", "The params of requestBody is null.");
        Assert.Equal("msgBody is a string, not an object: was the JSON encoded twice?", CcfsAnswer.Reason(response));
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_path_with_an_escaped_half_surrogate_pair_is_0300004_with_a_reason_that_names_it(string path)
    {
        var before = factory.Snapshot();
        // The escape is read as U+FFFD in place; the rest of the path is as sent, so the reason is about this character.
        var msgBody = $$"""{"{{PathField(path)}}":"Y:/3rdfile/53/thirdvoicebotfile/a\\ud800\ud800.wav"}""";

        var response = await factory.Signed().PostAsync(path, SignedClient.Envelope(msgBody));

        await CcfsAnswer.AssertTripleAsync(response, "0300004", $"The format of {PathField(path)} is incorrect.");
        Assert.Contains("holds U+FFFD, or an escape of half a surrogate pair", CcfsAnswer.Reason(response), StringComparison.Ordinal);
        Assert.Equal(before, factory.Snapshot());
    }

    [Theory]
    [MemberData(nameof(PathFieldErrors))]
    public async Task The_path_field_rules(string path, string msgBody, string code, string desc)
    {
        await AssertRefusedAsync(path, SignedClient.Envelope(msgBody), code, desc);
    }

    [Theory]
    [MemberData(nameof(OutsideTheRule))]
    public async Task A_path_outside_the_rule_is_0300004_even_when_the_file_exists(string path, string filePath)
    {
        if (filePath.EndsWith(".wav", StringComparison.Ordinal))
        {
            foreach (var location in factory.LocationIds)
            {
                factory.PutStored(filePath[3..], Samples.Sine, location);
            }
        }

        await AssertRefusedAsync(path, Body(path, filePath), "0300004", $"The format of {PathField(path)} is incorrect.");
    }

    [Theory]
    [MemberData(nameof(Interfaces))]
    public async Task A_file_never_stored_is_0300011(string path)
    {
        await AssertRefusedAsync(path, Body(path, NeverStored), "0300011", "The file does not exist.");
    }

    private static string PathField(string path) => path == CcfsPaths.DownloadFile ? "filePath" : "fileName";

    private static byte[] Body(string path, string filePath) => SignedClient.Envelope(SignedClient.MsgBody((PathField(path), filePath)));

    private Task<HttpResponseMessage> AssertRefusedAsync(string path, byte[] body, string code, string desc) =>
        factory.AssertRefusedAsync(c => c.PostAsync(path, body), code, desc);
}

public sealed class SingleLocationPathRequestRefusalTests(CcfsFactory factory) : PathRequestRefusalTests(factory), IClassFixture<CcfsFactory>;

public sealed class PoolPathRequestRefusalTests(PoolFactory factory) : PathRequestRefusalTests(factory), IClassFixture<PoolFactory>;
