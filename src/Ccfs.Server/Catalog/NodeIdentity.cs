using System.Security.Cryptography;

namespace Ccfs.Server.Catalog;

/// <summary>
/// This server process as the catalog knows it: a name for people (<c>Ccfs:Node:Name</c>, by default the host name)
/// and an instance token, new at every start, that marks the unfinished work this process owns (pending uploads,
/// deletes under way, temporary files), so recovery elsewhere never finishes work whose owner is still alive.
/// </summary>
public sealed class NodeIdentity(string name)
{
    public string Name { get; } = name;

    /// <summary>12 lower-case hex digits, safe in file names.</summary>
    public string Instance { get; } = RandomNumberGenerator.GetHexString(12, lowercase: true);

    public override string ToString() => $"{Name} ({Instance})";
}

/// <summary>Which node instances are alive, so recovery finishes only the work of the others.</summary>
public interface INodeRegistry
{
    /// <summary>Records this instance as alive (and, where nodes share a catalog, keeps renewing that).</summary>
    Task JoinAsync(CancellationToken cancellationToken);

    /// <summary>The instances alive now, this one included.</summary>
    Task<IReadOnlySet<string>> LiveInstancesAsync(CancellationToken cancellationToken);

    /// <summary>Says this instance is leaving, so others need not wait for its lease to run out.</summary>
    Task LeaveAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A catalog that belongs to one process (SQLite, guarded by <see cref="Sqlite.DataDirLock"/>): this instance is the
/// only one alive, so the work of every other instance was left by a process that has ended.
/// </summary>
public sealed class SingleNodeRegistry(NodeIdentity node) : INodeRegistry
{
    private readonly IReadOnlySet<string> _live = new HashSet<string>(StringComparer.Ordinal) { node.Instance };

    public Task JoinAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlySet<string>> LiveInstancesAsync(CancellationToken cancellationToken) => Task.FromResult(_live);

    public Task LeaveAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
