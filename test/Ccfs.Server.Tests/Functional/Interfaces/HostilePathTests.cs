using System.Net;
using System.Security.Cryptography;
using Ccfs.Protocol;
using Ccfs.Server.Catalog;

namespace Ccfs.Server.Tests.Functional.Interfaces;

/// <summary>
/// Paths built to escape: every one is answered 0300004 or 401 by delete, hash and download, and a file planted
/// outside the location root is never read, changed or deleted.
/// </summary>
public sealed class HostilePathTests : IClassFixture<CcfsFactory>, IDisposable
{
    private const string UploadFolder = "Y:/3rdfile/53/thirdvoicebotfile/";

    private readonly CcfsFactory _factory;
    private readonly string _outside = Path.Combine(Path.GetTempPath(), "ccfs-outside-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _secret = Samples.ALawOfSize(4096);

    public HostilePathTests(CcfsFactory factory)
    {
        _factory = factory;
        Directory.CreateDirectory(_outside);
        File.WriteAllBytes(SecretPath, _secret);
        _factory.Signed().StoreAsync(Samples.Sine).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Ways to spell "up one folder" and "/" in a path that climbs from the upload folder to the planted secret; the
    /// path itself is built per test, because the secret's folder is new each time.
    /// </summary>
    public static TheoryData<string, string> Traversals() => new()
    {
        { "..", "/" },
        { "..", "\\" },
        { "%2e%2e", "/" },
        { "%2E%2E", "%5C" },
        { "..", "%2f" },
        { "%2e%2e", "%2f" },
        { ".%2e", "/" },
    };

    /// <summary>The secret's absolute path, in the forms a client might send it.</summary>
    public static TheoryData<string> AbsoluteForms() => ["as is", "back slashes", "after the drive", "after the upload folder"];

    public static TheoryData<string> Escapes() =>
    [
        "Y:/3rdfile/53/thirdvoicebotfile/./x.wav",
        "Y:/./3rdfile/53/thirdvoicebotfile/x.wav",
        "/3rdfile/53/thirdvoicebotfile/x.wav",
        "C:/3rdfile/53/thirdvoicebotfile/x.wav",
        "Z:/3rdfile/53/thirdvoicebotfile/x.wav",
        "\\\\server\\share\\3rdfile\\53\\thirdvoicebotfile\\x.wav",
        "Y:",
        "Y:/",
        "Y:3rdfile/53/thirdvoicebotfile/x.wav",
        "Y://3rdfile/53/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/53//thirdvoicebotfile/x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/x.wav\0.txt",
        "Y:/3rdfile/53/thirdvoicebotfile/x\u0001.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/" + new string('a', 300) + ".wav",
        "Y:/3rdfile/53/thirdvoicebotfile/" + string.Concat(Enumerable.Repeat("abcdefghij/", 150)) + "x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/\u2025/x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile\u2215x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile\uFF0Fx.wav",
        "\uFF39:/3rdfile/53/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/\uFF15\uFF13/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/x\uFF0Ewav",
        "Y:/3rdfile/53/thirdvoicebotfile/\u202Evaw.x",
        "Y:/3RDFILE/53/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/53/ThirdVoiceBotFile/x.wav",
        "Y:/3rdfile/053/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/+53/thirdvoicebotfile/x.wav",
        "Y:/3rdfile/53 /thirdvoicebotfile/x.wav",
        "Y:/.ccfs-tmp/x.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/x.wav:stream",
        "Y:/3rdfile/53/thirdvoicebotfile/*.wav",
        "Y:/3rdfile/53/thirdvoicebotfile/~/x.wav/..",
    ];

    /// <summary>Paths under the upload rule (which the download rule also covers), so all four calls apply.</summary>
    public static TheoryData<string> OtherTenants() =>
    [
        "Y:/3rdfile/54/thirdvoicebotfile/x.wav",
        "y:\\3rdfile\\54\\thirdvoicebotfile\\x.wav",
        "Y:/3rdfile/2147483647/thirdvoicebotfile/x.wav",
    ];

    private string SecretPath => Path.Combine(_outside, "secret.wav");

    [Theory]
    [MemberData(nameof(Traversals))]
    public async Task A_traversal_that_would_reach_the_secret_is_0300004_on_every_interface(string dotDot, string separator)
    {
        var folder = Path.Combine(_factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile");
        var climb = Path.GetRelativePath(folder, SecretPath).Split(Path.DirectorySeparatorChar);
        Assert.Equal(SecretPath, Path.GetFullPath(Path.Combine([folder, .. climb])));
        var prefix = separator == "\\" ? UploadFolder.Replace('/', '\\') : UploadFolder;

        await AssertEscapeRefusedAsync(prefix + string.Join(separator, climb.Select(s => s == ".." ? dotDot : s)));
    }

    [Theory]
    [MemberData(nameof(AbsoluteForms))]
    public async Task The_secret_named_by_its_absolute_path_is_0300004_on_every_interface(string form)
    {
        var path = form switch
        {
            "as is" => SecretPath,
            "back slashes" => SecretPath.Replace('/', '\\'),
            "after the drive" => "Y:" + SecretPath,
            _ => UploadFolder + SecretPath,
        };

        await AssertEscapeRefusedAsync(path);
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Escapes_are_0300004_on_every_interface(string path)
    {
        await AssertEscapeRefusedAsync(path);
    }

    [Theory]
    [MemberData(nameof(OtherTenants))]
    public async Task Another_tenants_folder_is_401_on_every_interface(string path)
    {
        foreach (var call in Interfaces(path))
        {
            var before = _factory.Snapshot();
            using var response = await call.Send(_factory.Signed());

            await CcfsAnswer.AssertSpringAsync(response, HttpStatusCode.Unauthorized, call.Interface);
            Assert.Equal(before, _factory.Snapshot());
        }
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_file_link_planted_inside_the_root_that_points_out_is_never_followed()
    {
        var link = Path.Combine(_factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile", "planted.wav");
        File.CreateSymbolicLink(link, Path.Combine(_outside, "secret.wav"));
        var recordingLink = Path.Combine(_factory.LocationRoot(), "voice", "53", "IVRrecordFile", "planted.wav");
        Directory.CreateDirectory(Path.GetDirectoryName(recordingLink)!);
        File.CreateSymbolicLink(recordingLink, Path.Combine(_outside, "secret.wav"));

        await AssertRefusedAsync(c => c.HashAsync("Y:/3rdfile/53/thirdvoicebotfile/planted.wav"), "fileName");
        await AssertRefusedAsync(c => c.DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/planted.wav"), "fileName");
        await AssertRefusedAsync(c => c.DownloadAsync("Y:/3rdfile/53/thirdvoicebotfile/planted.wav"), "filePath");
        await AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/planted.wav"), "filePath");

        Assert.NotNull(new FileInfo(link).LinkTarget);
        AssertSecretUntouched();
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_folder_link_that_points_out_is_never_followed_for_files_folders_or_uploads()
    {
        var linkedFolder = Path.Combine(_factory.LocationRoot(), "voice", "53", "IVRrecordFile", "calls");
        Directory.CreateDirectory(Path.GetDirectoryName(linkedFolder)!);
        Directory.CreateSymbolicLink(linkedFolder, _outside);
        var uploadFolder = Path.Combine(_factory.LocationRoot(), "3rdfile", "55");
        Directory.CreateSymbolicLink(uploadFolder, _outside);

        await AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/calls/secret.wav"), "filePath");
        await AssertRefusedAsync(c => c.DownloadAsync("Y:/voice/53/IVRrecordFile/calls", 1), "filePath");
        await AssertRefusedAsync(c => c.HashAsync("Y:/3rdfile/55/thirdvoicebotfile/secret.wav"), "fileName");
        var before = _factory.Snapshot();
        var upload = await _factory.Signed().UploadAsync(Samples.Sine, vdnId: 55);

        await CcfsAnswer.AssertTripleAsync(upload, "0300503", "The service is temporarily unavailable, try again later.",
            HttpStatusCode.ServiceUnavailable);
        Assert.Equal(before, _factory.Snapshot());
        Assert.Equal(["secret.wav"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        AssertSecretUntouched();
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_chain_of_links_that_ends_outside_is_refused_and_one_that_stays_inside_is_served()
    {
        var prompt = Samples.Read("valid", "alaw-8k-extensible.wav");
        var fileName = await _factory.Signed().StoreAsync(prompt);
        var recordings = Path.Combine(_factory.LocationRoot(), "3rdfile", "53", "IVRrecordFile");
        Directory.CreateDirectory(recordings);
        File.CreateSymbolicLink(Path.Combine(recordings, "alias.wav"), Path.Combine("..", "thirdvoicebotfile", Path.GetFileName(fileName)));
        Directory.CreateSymbolicLink(Path.Combine(_factory.LocationRoot(), "hop"), _outside);
        File.CreateSymbolicLink(Path.Combine(recordings, "chain.wav"), Path.Combine(_factory.LocationRoot(), "hop", "secret.wav"));

        var inside = await _factory.Signed().DownloadAsync("Y:/3rdfile/53/IVRrecordFile/alias.wav");
        await AssertRefusedAsync(c => c.DownloadAsync("Y:/3rdfile/53/IVRrecordFile/chain.wav"), "filePath");

        Assert.Equal(prompt, await inside.Content.ReadAsByteArrayAsync());
        AssertSecretUntouched();
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task Deleting_a_link_inside_the_root_removes_the_link_not_the_file_it_names()
    {
        var fileName = await _factory.Signed().StoreAsync(Samples.Sine);
        var folder = Path.Combine(_factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile");
        File.CreateSymbolicLink(Path.Combine(folder, "alias.wav"), Path.GetFileName(fileName));

        var response = await _factory.Signed().DeleteAsync("Y:/3rdfile/53/thirdvoicebotfile/alias.wav");

        await CcfsAnswer.AssertTripleAsync(response, "0", "success");
        Assert.False(File.Exists(Path.Combine(folder, "alias.wav")));
        Assert.Equal(Samples.Sine, await File.ReadAllBytesAsync(Path.Combine(folder, Path.GetFileName(fileName))));
        Assert.NotNull(await _factory.FindAsync(fileName[2..]));
    }

    [Fact]
    [Trait("Storage", "Disk")]
    public async Task A_delete_refused_for_a_link_on_the_way_out_marks_nothing_and_the_file_stays_served()
    {
        var fileName = await _factory.Signed().StoreAsync(Samples.Sine);
        // The upload folder is moved out of the location, and a link to it put in its place.
        var folder = Path.Combine(_factory.LocationRoot(), "3rdfile", "53", "thirdvoicebotfile");
        var movedOut = Path.Combine(_outside, "moved");
        Directory.Move(folder, movedOut);
        Directory.CreateSymbolicLink(folder, movedOut);
        var before = _factory.Snapshot();

        await AssertRefusedAsync(c => c.DeleteAsync(fileName), "fileName");
        using var admin = await _factory.Admin().AdminAsync(HttpMethod.Delete, $"/admin/api/files?fileName={Uri.EscapeDataString(fileName)}");

        Assert.Equal(HttpStatusCode.BadRequest, admin.StatusCode);
        Assert.Equal(before, _factory.Snapshot());
        Assert.Equal((FileState.Stored, null), await _factory.Services.GetRequiredService<IFileCatalog>().StateOfAsync(fileName[2..], CancellationToken.None));
        // Put back, it is the same stored file, and its delete goes through.
        Directory.Delete(folder);
        Directory.Move(movedOut, folder);
        using var hash = await _factory.Signed().HashAsync(fileName);
        await CcfsAnswer.AssertTripleAsync(hash, "0", "success");
        await CcfsAnswer.AssertTripleAsync(await _factory.Signed().DeleteAsync(fileName), "0", "success");
        Assert.Null(await _factory.FindAsync(fileName[2..]));
    }

    public void Dispose() => Directory.Delete(_outside, recursive: true);

    private static IEnumerable<PathCall> Interfaces(string path) =>
    [
        new(CcfsPaths.DeleteFile, "fileName", c => c.DeleteAsync(path)),
        new(CcfsPaths.GetFileHash, "fileName", c => c.HashAsync(path)),
        new(CcfsPaths.DownloadFile, "filePath", c => c.DownloadAsync(path)),
        new(CcfsPaths.DownloadFile, "filePath", c => c.DownloadAsync(path, 1)),
    ];

    /// <summary>Every interface refuses the path with 0300004 and touches nothing, in the root or outside it.</summary>
    private async Task AssertEscapeRefusedAsync(string path)
    {
        foreach (var call in Interfaces(path))
        {
            var before = _factory.Snapshot();

            using var response = await call.Send(_factory.Signed());

            await CcfsAnswer.AssertTripleAsync(response, "0300004", $"The format of {call.Field} is incorrect.");
            Assert.Equal(before, _factory.Snapshot());
        }

        AssertSecretUntouched();
    }

    /// <summary>A link is refused after the path rules passed, when the store finds it leads out of the root.</summary>
    private async Task AssertRefusedAsync(Func<SignedClient, Task<HttpResponseMessage>> send, string field)
    {
        using var response = await _factory.AssertRefusedAsync(send, "0300004", $"The format of {field} is incorrect.");

        Assert.Contains("outside the storage root", CcfsAnswer.Reason(response), StringComparison.Ordinal);
    }

    private void AssertSecretUntouched()
    {
        Assert.True(File.Exists(SecretPath));
        Assert.Equal(SHA256.HashData(_secret), SHA256.HashData(File.ReadAllBytes(SecretPath)));
    }

    private sealed record PathCall(string Interface, string Field, Func<SignedClient, Task<HttpResponseMessage>> Send);
}
