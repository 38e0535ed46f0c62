using System.Globalization;
using System.Security.Cryptography;

namespace Ccfs.Server.Lifecycle;

/// <summary>Names of uploaded files as CC-FS makes them (spec §1.2): 8 random letters or digits, '_', epoch ms, '.wav'.</summary>
public static class GeneratedFileName
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Create(TimeProvider time) =>
        RandomNumberGenerator.GetString(Alphabet, 8) + "_"
        + time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + ".wav";
}
