using Ccfs.Protocol;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Hosting;

/// <summary>What <c>--help</c> prints: the options, the main configuration keys and where the rest is documented.</summary>
public static class ServerUsage
{
    public static string Text(string program) => $"""
        ccfs server {CcfsVersion.Version}: the Huawei CEC CC-FS third-party IVR file interfaces (uploadFile, deleteFile,
        getFileHash, downloadFile), for integration work on a laptop or in production.

        usage: {program} [options] [--<configuration key>=<value> ...]
               {program} scrub [--repair] [--<configuration key>=<value> ...]

        options:
          --urls <url>[;<url>...]       where to listen (default {ListenerPlan.DefaultUrl}, with a self-signed
                                        certificate generated into <data dir>/tls/)
          --ephemeral                   keep the data in a new temporary folder, removed when the server stops
          --faults <file>               put the fault rules of a JSON file in force (docs/rehearsal.md)
          --seed <folder>               place uploads/<vdn>/* and recordings/<path> as if uploaded or recorded
          --log-format auto|json|text   text at a terminal, JSON lines otherwise (auto, the default)
          --help                        print this and exit
          --version                     print the version and exit

        Every configuration key may be given on the command line (--Ccfs:DataDir=/srv/ccfs), as an environment
        variable (Ccfs__DataDir=/srv/ccfs) or in appsettings.json. The main ones:
          Ccfs:DataDir                          catalog, stored files, master key, TLS certificate (./ccfs-data)
          Ccfs:Accounts:0:AccessKey, :SecretKey, :VdnIds:0, :Admin
                                                accounts; with none and every listener on loopback, the development
                                                account AK ccfs-dev-ak, SK ccfs-dev-sk-not-for-production, VDN 1
          Ccfs:Parameters:UploadSizeLimitMb     largest decoded upload in MiB (5)
          Ccfs:Parameters:UploadPathRule        folder of uploads (/3rdfile/%VDNNO%/thirdvoicebotfile/)
          Ccfs:Locations:0:Id, :Path            storage locations; more than one is CTI pool mode
          Ccfs:Locations:0:Kind=S3, :S3:ServiceUrl, :S3:Bucket, :S3:AccessKey, :S3:SecretKey
                                                a location in an S3 bucket (docs/s3-locations.md)
          Ccfs:Log:Format                       auto, json or text, as --log-format
          Kestrel:Certificates:Default:Path, :KeyPath
                                                a real TLS certificate instead of the self-signed one

        Exit codes: 0 stopped normally, 2 a configuration or start-up problem (one line on stderr says which).
        Documentation: docs/running.md (install, run, logs, systemd) and docs/configuration.md (every key), in the
        ccfs repository.

        """;
}
