using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Tests.Functional.Faults;

/// <summary>
/// A rehearsal delay on downloadFile is waited before the file is opened, so no open file (or idle S3 answer, which the
/// store may close) is held through it; a client that gives up meanwhile has nothing opened for it at all.
/// </summary>
public sealed class DelayedDownloadTests
{
    [Fact]
    public async Task A_delayed_download_opens_its_file_only_after_the_delay_and_not_at_all_for_a_client_that_gave_up()
    {
        using var factory = new CountingFactory();
        var name = await factory.Signed().StoreAsync(Samples.Sine);
        await FaultInjectionTests.AddAsync(factory.Admin(), new { match = new { @interface = "downloadFile" }, action = new { delayMs = 3_000 }, times = 1 });
        var client = factory.Signed();
        using var request = client.Build(Ccfs.Protocol.CcfsPaths.DownloadFile, SignedClient.Envelope(SignedClient.MsgBody(("filePath", name))),
            new SignOptions());
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Http.SendAsync(request, giveUp.Token));
        // The server's side of the request ends (journalled as 499) once the delay has ended early.
        var journalled = false;
        for (var i = 0; i < 200 && !journalled; i++)
        {
            await Task.Delay(50);
            using var journal = await factory.Admin().SendAsync(HttpMethod.Get, "/admin/api/journal");
            journalled = (await journal.Content.ReadAsStringAsync()).Contains("\"httpStatus\":499", StringComparison.Ordinal);
        }

        Assert.True(journalled, "the abandoned download was not journalled as 499");

        Assert.Equal(0, factory.Store.Opens);
        using var served = await factory.Signed().DownloadAsync(name);
        Assert.Equal(Samples.Sine, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, factory.Store.Opens);
    }

    private sealed class CountingFactory() : CcfsFactory(new() { ["Ccfs:Faults:Enabled"] = "true" })
    {
        public CountingStore Store { get; private set; } = null!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp =>
            {
                Store = new CountingStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                return new LocationSet([Store]);
            }));
        }
    }

    private sealed class CountingStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        private int _opens;

        public int Opens => Volatile.Read(ref _opens);

        public override Task<Stream?> OpenReadAsync(StoragePath path, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _opens);
            return base.OpenReadAsync(path, cancellationToken);
        }
    }
}
