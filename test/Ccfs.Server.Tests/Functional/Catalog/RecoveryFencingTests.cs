using Ccfs.Server.Catalog;
using Ccfs.Server.Paths;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>
/// A node frozen past its lease (SIGSTOP, a stalled VM) in the middle of an upload, another node's recovery deciding that
/// upload, and a commit whose answer is lost (docs/failure-behaviour.md): nothing answered 0 loses its bytes, and a
/// stored row never loses its copy. Recovery takes a pending row over before it looks at any copy, so the woken owner can
/// no longer store it; an upload whose commit failed reads the row again before it undoes anything. Found by a hostile
/// probe on two real nodes (PostgreSQL + RGW).
/// </summary>
public sealed class RecoveryFencingTests
{
    [Fact]
    public async Task A_frozen_owner_that_wakes_while_recovery_undoes_its_upload_can_no_longer_store_it()
    {
        using var factory = new HookedFactory();
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var path = fileName[2..];
        var bytes = factory.ReadCopy(fileName)!;
        var database = factory.Services.GetRequiredService<CatalogDatabase>();
        var frozenNode = new NodeIdentity("frozen");

        // What a node frozen between its reservation and its placement leaves: a pending row it owns, no copy yet.
        await database.Writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("DELETE FROM file_copies WHERE path = @path;", ct, ("path", path));
            return await tx.ExecuteAsync($"UPDATE files SET state = 0, owner = '{frozenNode.Instance}' WHERE path = @path;", ct, ("path", path));
        });
        Assert.True(await factory.Store.DeleteAsync(StoragePath.FromCatalogKey(path), CancellationToken.None));

        // Recovery (here, for the node whose lease ran out) looks for the copy and finds none. Right then the frozen node
        // wakes up, places its copy and commits: the row is no longer its own, so its commit stores nothing.
        var frozen = new FileCatalog(database, frozenNode, factory.Time, new EventOutbox(factory.Time), new DeleteMarks());
        CommitOutcome? woken = null;
        factory.Store.AfterExists = async () =>
        {
            factory.PutStored(path[1..], bytes);
            woken = await frozen.CommitAsync(path, ["0"], CancellationToken.None);
        };

        await factory.RecoverAsync();

        Assert.True(factory.Store.HookRan);
        // Its client is told the catalog did not confirm the store (PromptWriter), and recovery's decision holds: no row,
        // and no copy of a file the catalog does not list.
        Assert.Equal(CommitOutcome.TakenOver, woken);
        Assert.Null(await factory.FindAsync(path));
        Assert.Empty(factory.CatalogRows());
        Assert.False(factory.HasCopy(fileName));
    }

    [Fact]
    public async Task An_upload_whose_row_recovery_took_over_is_answered_503_and_leaves_its_copies_to_recovery()
    {
        using var factory = new CommitHookedFactory();
        var database = factory.Services.GetRequiredService<CatalogDatabase>();
        var other = new FileCatalog(database, new NodeIdentity("other-node"), factory.Time, new EventOutbox(factory.Time), new DeleteMarks());
        // This node was thought gone after placing its copy: another node's recovery took the row over before the commit.
        factory.Catalog.OnCommit = async (_, path, _) =>
            Assert.True(await other.TakeOverPendingAsync(path, factory.Services.GetRequiredService<NodeIdentity>().Instance, CancellationToken.None));

        var answer = await factory.Signed().UploadAsync(Samples.Sine);

        await CcfsAnswer.AssertTripleAsync(answer, "0300503", "The service is temporarily unavailable, try again later.", System.Net.HttpStatusCode.ServiceUnavailable);
        Assert.Contains("recovery stores it if every copy is in place", CcfsAnswer.Reason(answer), StringComparison.Ordinal);
        var path = Assert.Single(factory.Catalog.Committed);
        Assert.Equal([$"{path} state=0"], factory.CatalogRows());
        Assert.True(factory.HasCopy("Y:" + path), "the copies are the recovering node's to judge");
    }

    [Fact]
    public async Task An_upload_whose_commit_fails_with_the_catalog_unreadable_leaves_its_row_and_copy_and_recovery_stores_it()
    {
        using var factory = new CommitHookedFactory();
        factory.Catalog.OnCommit = (_, _, _) =>
        {
            factory.Catalog.FailReads = true;
            throw new CatalogUnavailableException("the catalog took no write for 5 s");
        };

        var answer = await factory.Signed().UploadAsync(Samples.Sine);
        factory.Catalog.FailReads = false;
        factory.Catalog.OnCommit = null;

        await CcfsAnswer.AssertTripleAsync(answer, "0300503", "The service is temporarily unavailable, try again later.", System.Net.HttpStatusCode.ServiceUnavailable);
        var path = Assert.Single(factory.Catalog.Committed);
        Assert.Equal([$"{path} state=0"], factory.CatalogRows());
        Assert.True(factory.HasCopy("Y:" + path));

        Assert.Equal(new Lifecycle.RecoveryPass(1, 0, 0), await factory.RecoverAsync());

        Assert.NotNull(await factory.FindAsync(path));
        Assert.True(factory.HasCopy("Y:" + path));
    }

    [Fact]
    public async Task An_upload_whose_commit_times_out_after_recovery_stored_it_keeps_its_copy()
    {
        using var factory = new CommitHookedFactory();
        // The node froze (SIGSTOP, a stalled VM) after placing its copy, with its commit queued; its lease ran out and
        // another node's recovery found every copy in place and stored the row (and its ccfs.file.stored event). The
        // node wakes up: its queued commit's deadline has passed, so the commit throws.
        factory.Catalog.OnCommit = async (catalog, path, locations) =>
        {
            Assert.True(await catalog.StoreRecoveredAsync(path, locations, CancellationToken.None));
            throw new CatalogUnavailableException("the catalog took no write for 5 s");
        };

        await AssertTheUploadStandsAsync(factory);
    }

    [Fact]
    public async Task An_upload_whose_commit_lost_its_answer_keeps_its_copy()
    {
        using var factory = new CommitHookedFactory();
        // The commit reaches the database and is applied, then the connection drops before its answer comes back
        // (/tmp/probeA-repro/ambiguous-commit.sh cuts a real PostgreSQL connection right after the COMMIT).
        factory.Catalog.OnCommit = async (catalog, path, locations) =>
        {
            Assert.Equal(CommitOutcome.Stored, await catalog.CommitAsync(path, locations, CancellationToken.None));
            throw new CatalogUnavailableException("the PostgreSQL catalog cannot be reached: Exception while reading from stream");
        };

        await AssertTheUploadStandsAsync(factory);
    }

    [Fact]
    public async Task A_recovering_node_frozen_before_its_decision_can_no_longer_undo_or_store_the_row()
    {
        using var factory = new HookedFactory();
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);
        var path = fileName[2..];
        var database = factory.Services.GetRequiredService<CatalogDatabase>();
        var uploader = new NodeIdentity("uploader");
        // The uploader froze after placing its copy, before its commit: a pending row it owns, its copy in place.
        await database.Writer.WriteAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("DELETE FROM file_copies WHERE path = @path;", ct, ("path", path));
            return await tx.ExecuteAsync($"UPDATE files SET state = 0, owner = '{uploader.Instance}' WHERE path = @path;", ct, ("path", path));
        });
        // A second node's recovery took it over, found a copy missing (the copy was still being written), and froze too.
        var recovering = new FileCatalog(database, new NodeIdentity("recovering"), factory.Time, new EventOutbox(factory.Time), new DeleteMarks());
        Assert.True(await recovering.TakeOverPendingAsync(path, uploader.Instance, CancellationToken.None));

        // A third node finds it gone and takes the row over in turn; then the frozen recovering node wakes: neither its
        // undo nor a store of its own is accepted, so it deletes nothing.
        var third = new FileCatalog(database, new NodeIdentity("third"), factory.Time, new EventOutbox(factory.Time), new DeleteMarks());
        Assert.True(await third.TakeOverPendingAsync(path, (await factory.Services.GetRequiredService<IFileCatalog>()
            .StateOfAsync(path, CancellationToken.None))!.Value.Owner, CancellationToken.None));
        Assert.False(await recovering.BeginUndoAsync(path, CancellationToken.None));
        Assert.False(await recovering.StoreRecoveredAsync(path, ["0"], CancellationToken.None));

        // This node's recovery finds the third node gone too, and every copy in place: it stores the file.
        Assert.Equal(new Lifecycle.RecoveryPass(1, 0, 0), await factory.RecoverAsync());
        Assert.False(await recovering.BeginUndoAsync(path, CancellationToken.None));
        Assert.NotNull(await factory.FindAsync(path));
        Assert.True(factory.HasCopy(fileName));
    }

    [Fact]
    public async Task An_undo_whose_copies_cannot_be_removed_stays_committed_and_recovery_finishes_it()
    {
        using var factory = new CommitHookedFactory();
        // The commit fails and nothing was written (the row reads pending, this node's): the upload is undone, but the
        // location refuses to remove the copy.
        factory.Catalog.OnCommit = (_, _, _) =>
        {
            factory.Store.FailUndo = true;
            throw new CatalogUnavailableException("the catalog took no write for 5 s");
        };

        var answer = await factory.Signed().UploadAsync(Samples.Sine);
        factory.Store.FailUndo = false;
        factory.Catalog.OnCommit = null;

        await CcfsAnswer.AssertTripleAsync(answer, "0300503", "The service is temporarily unavailable, try again later.",
            System.Net.HttpStatusCode.ServiceUnavailable);
        var path = Assert.Single(factory.Catalog.Committed);
        // No node can store it now; recovery removes the copy and the row, and reports nothing: it was never stored.
        Assert.Equal([$"{path} state=3"], factory.CatalogRows());
        Assert.True(factory.HasCopy("Y:" + path));

        Assert.Equal(new Lifecycle.RecoveryPass(1, 0, 0), await factory.RecoverAsync());

        Assert.Empty(factory.CatalogRows());
        Assert.False(factory.HasCopy("Y:" + path));
    }

    /// <summary>An upload through the hooked commit: the row is read again, and as the commit (its own, or recovery's) stored it, the upload stands.</summary>
    private static async Task AssertTheUploadStandsAsync(CommitHookedFactory factory)
    {
        var fileName = await factory.Signed().StoreAsync(Samples.Sine);

        var path = Assert.Single(factory.Catalog.Committed);
        Assert.Equal("Y:" + path, fileName);
        Assert.NotNull(await factory.FindAsync(path));
        Assert.True(factory.HasCopy("Y:" + path), "the catalog lists the file as stored, but the upload removed its copy");
    }

    private sealed class CommitHookedFactory : CcfsFactory
    {
        public CommitHookedCatalog Catalog => (CommitHookedCatalog)Services.GetRequiredService<IFileCatalog>();

        public UndoFailingStore Store { get; private set; } = null!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IFileCatalog>(sp => new CommitHookedCatalog(ProviderCatalog(sp)));
                services.AddSingleton(sp =>
                {
                    Store = new UndoFailingStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                    return new LocationSet([Store]);
                });
            });
        }
    }

    /// <summary>A location that refuses to undo a write while <see cref="FailUndo"/> is set.</summary>
    private sealed class UndoFailingStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public bool FailUndo { get; set; }

        public override Task UndoWriteAsync(WrittenCopy copy, CancellationToken cancellationToken) =>
            FailUndo ? throw new IOException("injected: the disk refuses to delete") : base.UndoWriteAsync(copy, cancellationToken);
    }

    /// <summary>Runs <see cref="OnCommit"/> instead of an upload's commit.</summary>
    private sealed class CommitHookedCatalog(IFileCatalog provider) : DelegatingFileCatalog(provider)
    {
        private readonly IFileCatalog _provider = provider;

        public Func<IFileCatalog, string, IReadOnlyList<string>, Task>? OnCommit { get; set; }

        public List<string> Committed { get; } = [];

        public bool FailReads { get; set; }

        public override Task<(FileState State, string? Owner)?> StateOfAsync(string path, CancellationToken cancellationToken) =>
            FailReads ? throw new CatalogUnavailableException("injected: the catalog cannot be read") : base.StateOfAsync(path, cancellationToken);

        public override async Task<CommitOutcome> CommitAsync(string path, IReadOnlyList<string> locations, CancellationToken cancellationToken)
        {
            Committed.Add(path);
            if (OnCommit is { } hook)
            {
                await hook(_provider, path, locations);
            }

            return await base.CommitAsync(path, locations, cancellationToken);
        }
    }

    /// <summary>A server with hooks in its one location.</summary>
    private sealed class HookedFactory : CcfsFactory
    {
        public HookedStore Store { get; private set; } = null!;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp =>
            {
                Store = new HookedStore(sp.GetRequiredService<LocationStores>().Stores[0]);
                return new LocationSet([Store]);
            }));
        }
    }

    /// <summary>Runs a test's step, once, right after the first look for a copy that found none.</summary>
    private sealed class HookedStore(IFileStore inner) : DelegatingFileStore(inner)
    {
        public Func<Task>? AfterExists { get; set; }

        public bool HookRan { get; private set; }

        public override async Task<bool> ExistsAsync(StoragePath path, CancellationToken cancellationToken)
        {
            var found = await base.ExistsAsync(path, cancellationToken);
            if (!found && AfterExists is { } hook && !HookRan)
            {
                HookRan = true;
                await hook();
            }

            return found;
        }
    }
}
