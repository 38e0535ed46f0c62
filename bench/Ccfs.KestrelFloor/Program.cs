using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using Ccfs.Protocol.Auth;
using Ccfs.Server.Http;
using Microsoft.AspNetCore.Connections;

// The least a Kestrel endpoint can spend on an upload on this machine, for comparison with ccfs
// (bench/scripts/measure-kestrel-floor.sh, docs/performance.md). POST /upload with a Base64 body: the body is read into a
// pooled array and three quarters of its length are written to a new file, which is kept (as ccfs keeps its files;
// the script removes them after each run). FLOOR_WORK=receive does only that;
// FLOOR_WORK=full adds the work whose cost grows with the body, as ccfs does it: the auth-v2 HMAC over the
// percent-encoded body, the Base64 decode in place, the SHA-256 of the file and an fsync of the file.
// FLOOR_BLOCKS=4k keeps Kestrel's own 4 KiB pool blocks; 16k, 32k or 64k (the default, ccfs's) use ccfs's
// LargeBlockMemoryPoolFactory with blocks of that size.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
builder.Logging.ClearProviders();
var blocks = Environment.GetEnvironmentVariable("FLOOR_BLOCKS") ?? "64k";
if (blocks != "4k")
{
    var blockSize = int.Parse(blocks.TrimEnd('k'), System.Globalization.CultureInfo.InvariantCulture) * 1024;
    builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(new LargeBlockMemoryPoolFactory(blockSize));
}

var full = Environment.GetEnvironmentVariable("FLOOR_WORK") == "full";
var folder = Environment.GetEnvironmentVariable("FLOOR_DIR") ?? Path.Combine(Path.GetTempPath(), "ccfs-kestrel-floor");
Directory.CreateDirectory(folder);
var signingKey = Convert.ToHexStringLower(new byte[32]);
long files = 0;
var app = builder.Build();
app.MapPost("/upload", async (HttpContext http) =>
{
    var length = (int)(http.Request.ContentLength ?? 0);
    var body = ArrayPool<byte>.Shared.Rent(length);
    try
    {
        var read = 0;
        while (read < length)
        {
            var n = await http.Request.Body.ReadAsync(body.AsMemory(read, length - read));
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var fileLength = read * 3 / 4;
        if (full)
        {
            using (var hmac = new CanonicalRequestHmac(signingKey, "POST\n/upload\n\ncontent-type:application/json\n\ncontent-type\n"))
            {
                hmac.AppendBody(body.AsSpan(0, read));
                hmac.Complete();
            }

            Base64.DecodeFromUtf8InPlace(body.AsSpan(0, read), out fileLength);
            SHA256.HashData(body.AsSpan(0, fileLength));
        }

        var path = Path.Combine(folder, Interlocked.Increment(ref files) + ".wav");
        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(file, body.AsSpan(0, fileLength), 0);
            if (full)
            {
                RandomAccess.FlushToDisk(file);
            }
        }

        return Results.Text("{\"resultCode\":\"0\"}", "application/json");
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(body);
    }
});
app.Run();
