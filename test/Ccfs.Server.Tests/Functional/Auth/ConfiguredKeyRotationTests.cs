using System.Net;

namespace Ccfs.Server.Tests.Functional.Auth;

/// <summary>
/// An account of configuration rotates its secret without a gap (docs/operations.md): with
/// <c>Ccfs:Accounts:N:PreviousSecretKey</c> set, the old key and the new one both sign until the old one is removed.
/// </summary>
public sealed class ConfiguredKeyRotationTests
{
    private const string NewKey = "rotated-sk-0123456789";

    [Fact]
    public async Task The_previous_and_the_new_secret_both_sign_and_any_other_key_is_refused()
    {
        using var factory = CcfsFactory.With(new()
        {
            ["Ccfs:Accounts:0:SecretKey"] = NewKey,
            ["Ccfs:Accounts:0:PreviousSecretKey"] = CcfsFactory.SecretKey,
        });

        await CcfsAnswer.AssertTripleAsync(await factory.Signed(CcfsFactory.AccessKey, NewKey).UploadAsync(Samples.Sine), "0", "success");
        await CcfsAnswer.AssertTripleAsync(await factory.Signed().UploadAsync(Samples.Sine), "0", "success");
        var refused = await factory.Signed(CcfsFactory.AccessKey, "some-other-sk-0123456789").UploadAsync(Samples.Sine);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(2, factory.CatalogRows().Count);
    }
}
