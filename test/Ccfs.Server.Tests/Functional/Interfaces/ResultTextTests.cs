using System.Text;
using Ccfs.Protocol;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>resultDesc texts replaced by configuration (spec §3: "make the texts configurable"); codes never change.</summary>
public sealed class ResultTextTests : IDisposable
{
    private readonly CcfsFactory _factory = CcfsFactory.With(new()
    {
        ["Ccfs:Compatibility:SuccessDescription"] = "operate success",
        ["Ccfs:Compatibility:ResultDescriptions:0300004"] = "{param} is malformed.",
        ["Ccfs:Compatibility:ResultDescriptions:0300007"] = "Request body missing.",
        ["Ccfs:Compatibility:ResultDescriptions:0300011"] = "No such file.",
        ["Ccfs:Compatibility:ResultDescriptions:0300006"] = "Version must be {param}.",
    });

    [Fact]
    public async Task A_configured_success_text_is_sent_by_every_interface()
    {
        var client = _factory.Signed();
        using var upload = await client.UploadAsync(Samples.Sine);
        var fileName = (await CcfsAnswer.AssertTripleAsync(upload, "0", "operate success"))
            .GetProperty("resultData").GetProperty("fileName").GetString()!;

        await CcfsAnswer.AssertTripleAsync(await client.HashAsync(fileName), "0", "operate success");
        await CcfsAnswer.AssertTripleAsync(await client.DeleteAsync(fileName), "0", "operate success");
    }

    [Fact]
    public async Task A_configured_text_names_the_parameter_where_it_says_param()
    {
        var before = _factory.Snapshot();

        await CcfsAnswer.AssertTripleAsync(await _factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=x", SignedClient.Envelope("""{"data":"UklGRg=="}""")),
            "0300004", "vdnId is malformed.");
        await CcfsAnswer.AssertTripleAsync(await _factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=53", Encoding.UTF8.GetBytes("[]")),
            "0300007", "Request body missing.");
        await CcfsAnswer.AssertTripleAsync(await _factory.Signed().DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/absent.wav"),
            "0300011", "No such file.");

        Assert.Equal(before, _factory.Snapshot());
    }

    [Fact]
    public async Task The_version_text_names_the_current_version_where_it_says_param()
    {
        using var response = await _factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=53",
            Encoding.UTF8.GetBytes("""{"request":{"version":"1.0"},"msgBody":{"data":"UklGRg=="}}"""));

        await CcfsAnswer.AssertTripleAsync(response, "0300006", "Version must be 2.0.");
    }

    [Fact]
    public async Task Codes_without_a_configured_text_keep_the_cc_fs_wording()
    {
        using var response = await _factory.Signed().PostAsync(CcfsPaths.UploadFile + "?vdnId=53",
            Encoding.UTF8.GetBytes("""{"request":{"version":"2.0"},"msgBody":{"data":""}}"""));

        await CcfsAnswer.AssertTripleAsync(response, "0300002", "The value of data cannot be an empty string.");
    }

    public void Dispose() => _factory.Dispose();
}
