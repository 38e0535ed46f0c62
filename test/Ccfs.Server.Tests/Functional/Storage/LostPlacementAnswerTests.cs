using Ccfs.Audio;
using Ccfs.Server.Lifecycle;
using Ccfs.Server.Parameters;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Tests.Functional.Storage;

/// <summary>
/// docs/failure-behaviour.md: an upload answered 0300503 keeps nothing. A PUT whose answer is lost (S3:Timeout runs out
/// while the store, frozen or slow, still completes it) is a placement that failed for ccfs but succeeded in the store.
/// Found by a probe with a real radosgw stopped by SIGSTOP: every upload answered 0300503 during the freeze left its
/// object in the bucket, with no row, served by getFileHash and downloadFile, and never removed.
/// </summary>
public sealed class LostPlacementAnswerTests
{
    [Fact]
    public async Task An_upload_answered_503_because_its_placement_answer_was_lost_leaves_no_file()
    {
        using var factory = new HookedFactory();

        var answer = await factory.Signed().UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(answer, "0300503", "The service is temporarily unavailable, try again later.",
            System.Net.HttpStatusCode.ServiceUnavailable);
        var placed = Assert.Single(factory.Store.Placed);
        Assert.False(factory.HasCopy("Y:/" + placed.Value), "the refused upload's file is still in the location");
        Assert.Empty(factory.CatalogRows());
        await factory.RecoverAsync();
        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_lost_placement_whose_delete_fails_too_keeps_its_row_until_recovery_removes_the_copy()
    {
        using var factory = new HookedFactory();
        factory.Store.FailDeletes = true;

        var answer = await factory.Signed().UploadAsync(Samples.Sine);

        Assert.Equal("0300503", await CcfsAnswer.ResultCodeAsync(answer));
        var placed = Assert.Single(factory.Store.Placed);
        var fileName = "Y:/" + placed.Value;
        Assert.True(factory.HasCopy(fileName));
        Assert.Equal([$"/{placed.Value} state={(int)Ccfs.Server.Catalog.FileState.Undoing}"], factory.CatalogRows());
        // The copy the undo could not remove is not the file's: neither hashed nor downloaded.
        Assert.Equal("0300011", await CcfsAnswer.ResultCodeAsync(await factory.Signed().HashAsync(fileName)));
        Assert.Equal(0, (await factory.RecoverAsync()).Finished);

        factory.Store.FailDeletes = false;
        Assert.Equal(1, (await factory.RecoverAsync()).Finished);

        Assert.False(factory.HasCopy(fileName));
        Assert.Empty(factory.CatalogRows());
        // The name is free again: an upload under it is stored.
        factory.Store.LoseAnswers = false;
        var retried = await factory.StoreNamedAsync(placed);
        Assert.True(retried.Stored, retried.Failure);
        Assert.True(factory.HasCopy(fileName));
    }

    [Fact]
    public async Task A_write_that_lands_after_the_undos_delete_is_deleted_by_recovery_before_the_name_is_freed()
    {
        // A frozen S3 store: the PUT's answer is lost, and the PUT itself lands only when the store runs again, after
        // the undo's delete was answered (a probe saw radosgw answer the HEAD of that delete 404 and finish the PUT after).
        using var factory = new HookedFactory();
        factory.Store.Window = TimeSpan.FromSeconds(10);
        factory.Store.PlaceLate = true;

        var answer = await factory.Signed().UploadAsync(Samples.Sine);

        Assert.Equal("0300503", await CcfsAnswer.ResultCodeAsync(answer));
        var placed = Assert.Single(factory.Store.Placed);
        var fileName = "Y:/" + placed.Value;
        Assert.False(factory.HasCopy(fileName));
        // The name stays taken, committed to its undo, however the store answered the delete.
        Assert.Equal([$"/{placed.Value} state={(int)Ccfs.Server.Catalog.FileState.Undoing}"], factory.CatalogRows());
        Assert.Equal(0, (await factory.RecoverAsync()).Finished);

        await factory.Store.LandAsync(placed);
        Assert.True(factory.HasCopy(fileName));
        Assert.Equal("0300011", await CcfsAnswer.ResultCodeAsync(await factory.Signed().HashAsync(fileName)));
        factory.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, (await factory.RecoverAsync()).Finished);
        Assert.NotEmpty(factory.CatalogRows());

        factory.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await factory.RecoverAsync()).Finished);

        Assert.False(factory.HasCopy(fileName), "the write that landed late is left in the location");
        Assert.Empty(factory.CatalogRows());
    }

    [Fact]
    public async Task A_late_write_whose_undo_could_not_delete_either_is_waited_for_from_the_first_delete_that_succeeds()
    {
        // The store stays frozen for the undo's delete too; it thaws, answers recovery's delete, then runs the PUT it held.
        using var factory = new HookedFactory();
        factory.Store.Window = TimeSpan.FromSeconds(10);
        factory.Store.PlaceLate = true;
        factory.Store.FailDeletes = true;

        var answer = await factory.Signed().UploadAsync(Samples.Sine);

        Assert.Equal("0300503", await CcfsAnswer.ResultCodeAsync(answer));
        var placed = Assert.Single(factory.Store.Placed);
        var fileName = "Y:/" + placed.Value;
        Assert.Equal([$"/{placed.Value} state={(int)Ccfs.Server.Catalog.FileState.Undoing}"], factory.CatalogRows());
        factory.Store.FailDeletes = false;
        Assert.Equal(0, (await factory.RecoverAsync()).Finished);

        await factory.Store.LandAsync(placed);
        Assert.Equal("0300011", await CcfsAnswer.ResultCodeAsync(await factory.Signed().HashAsync(fileName)));
        factory.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, (await factory.RecoverAsync()).Finished);

        Assert.False(factory.HasCopy(fileName), "the write that landed late is left in the location");
        Assert.Empty(factory.CatalogRows());
    }

    private sealed class HookedFactory : CcfsFactory
    {
        private LostAnswerStore? _store;

        /// <summary>The location's store; asking for it starts the server.</summary>
        public LostAnswerStore Store => _store ?? (Services.GetRequiredService<LocationSet>().Stores[0] as LostAnswerStore)!;

        public Task<PromptWriteResult> StoreNamedAsync(StoragePath path)
        {
            var parameters = Services.GetRequiredService<IParameterSource>().For(Vdn);
            var wave = WaveValidator.Validate(Samples.Sine, parameters.AcceptedEncodings);
            return Services.GetRequiredService<PromptWriter>().StoreAsync(Samples.Sine, wave, Vdn, parameters, AccessKey,
                name: path.Value[(path.Value.LastIndexOf('/') + 1)..]);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp =>
            {
                _store = new LostAnswerStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                return new LocationSet([_store]);
            }));
        }
    }

    /// <summary>Places the copy, then reports a time-out, as an S3 PUT the store finished after its caller gave up.</summary>
    private sealed class LostAnswerStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public List<StoragePath> Placed { get; } = [];

        public bool LoseAnswers { get; set; } = true;

        /// <summary>The write is not carried out when asked, only at <see cref="LandAsync"/>.</summary>
        public bool PlaceLate { get; set; }

        public TimeSpan? Window { get; set; }

        public override TimeSpan LateWriteWindow => Window ?? base.LateWriteWindow;

        public Task LandAsync(StoragePath path) => base.ReplaceAsync(path, Samples.Sine, CancellationToken.None);

        /// <summary>Deletes time out as well, as they do while the store stays frozen.</summary>
        public bool FailDeletes { get; set; }

        public override async Task<WrittenCopy> PlaceAsync(IStagedFile staged, StoragePath path, CancellationToken cancellationToken)
        {
            if (PlaceLate)
            {
                Placed.Add(path);
                throw new Ccfs.Server.Storage.S3.S3StoreException($"location {LocationId}: writing: no answer within 10 s", transient: true,
                    answerLost: true);
            }

            var copy = await base.PlaceAsync(staged, path, cancellationToken);
            if (!LoseAnswers)
            {
                return copy;
            }

            Placed.Add(path);
            throw new IOException($"location {LocationId}: writing: no answer within 10 s");
        }

        public override Task<bool> DeleteAsync(StoragePath path, CancellationToken cancellationToken) => FailDeletes
            ? throw new IOException($"location {LocationId}: deleting: no answer within 10 s")
            : base.DeleteAsync(path, cancellationToken);
    }
}
