using Ccfs.Server.Storage;

namespace Ccfs.Server.Tests;

/// <summary>A server with one upload slot and no queue (unless <paramref name="settings"/> say otherwise), whose only location holds each write at a gate.</summary>
internal sealed class GatedStoreFactory(Dictionary<string, string?>? settings = null) : CcfsFactory(new(new Dictionary<string, string?>
{
    ["Ccfs:Limits:MaxConcurrentUploads"] = "1",
    ["Ccfs:Limits:UploadQueueLength"] = "0",
}.Concat(settings ?? []).GroupBy(s => s.Key).Select(g => g.Last())))
{
    public GatedStore Store { get; private set; } = null!;

    /// <summary>
    /// Waits until the held upload is at the gate and has reserved its name (the reservation runs while the bytes wait),
    /// then takes a snapshot: a state nothing else changes while the gate is shut.
    /// </summary>
    public async Task<StorageSnapshot> HeldSnapshotAsync()
    {
        await Store.WriteStarted.WaitAsync(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 600 && CatalogRows().Count == 0; i++)
        {
            await Task.Delay(50);
        }

        var snapshot = Snapshot();
        Assert.EndsWith(" state=0", Assert.Single(snapshot.CatalogRows), StringComparison.Ordinal);
        return snapshot;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton(sp =>
        {
            Store = new GatedStore(sp.GetRequiredService<LocationStores>().Stores[0]);
            return new LocationSet([Store]);
        }));
    }
}

/// <summary>A store whose writes wait until the test opens the gate, so an upload can be held in flight.</summary>
internal sealed class GatedStore(IFileStore inner) : DelegatingFileStore(inner)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WriteStarted => _started.Task;

    public void Open() => _gate.TrySetResult();

    public override async Task<IStagedFile> StageAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        await _gate.Task;
        return await base.StageAsync(content, cancellationToken);
    }
}
