using System.Data.Common;

namespace Ccfs.Server.Catalog;

/// <summary>
/// The catalog could not take a statement in time (held by another process, locked, stopped, unreachable) or takes no
/// writes for now (disk full, read-only); answered 503 with <see cref="Exception.Message"/> as the reason.
/// </summary>
public sealed class CatalogUnavailableException(string message, Exception? inner = null, bool refusing = false) : DbException(message, inner)
{
    /// <summary>The database answered, but refuses writes for a reason that outlasts a retry (disk full, read-only).</summary>
    public bool Refusing { get; } = refusing;
}
