using System.Globalization;

namespace Ccfs.Server.Tests.Process;

/// <summary>Settings a process test's server starts with, as the environment variables ASP.NET Core reads.</summary>
internal static class ProcessSettings
{
    /// <summary>Adds the test account on <paramref name="vdns"/> and, with <paramref name="admin"/>, the admin account, as <see cref="CcfsFactory"/> has them.</summary>
    public static Dictionary<string, string> WithTestAccounts(this Dictionary<string, string> settings, bool admin, params int[] vdns)
    {
        settings["Ccfs__Accounts__0__AccessKey"] = CcfsFactory.AccessKey;
        settings["Ccfs__Accounts__0__SecretKey"] = CcfsFactory.SecretKey;
        for (var i = 0; i < vdns.Length; i++)
        {
            settings[$"Ccfs__Accounts__0__VdnIds__{i}"] = vdns[i].ToString(CultureInfo.InvariantCulture);
        }

        if (admin)
        {
            settings["Ccfs__Accounts__1__AccessKey"] = CcfsFactory.AdminAccessKey;
            settings["Ccfs__Accounts__1__SecretKey"] = CcfsFactory.AdminSecretKey;
            settings["Ccfs__Accounts__1__VdnIds__0"] = "1";
            settings["Ccfs__Accounts__1__Admin"] = "true";
        }

        return settings;
    }

    /// <summary>Puts the catalog in the PostgreSQL database <paramref name="connectionString"/> names.</summary>
    public static Dictionary<string, string> WithPostgresCatalog(this Dictionary<string, string> settings, string connectionString)
    {
        settings["Ccfs__Catalog__Provider"] = "Postgres";
        settings["Ccfs__Catalog__ConnectionString"] = connectionString;
        return settings;
    }
}
