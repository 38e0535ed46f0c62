using Ccfs.Protocol;
using Ccfs.Server.Storage;

namespace Ccfs.Server.Http;

/// <summary>
/// The CC-FS answer to a failure of the stores or the catalog, so the interfaces name no storage exception: a path that
/// leads out of a location root through a planted link is the client's path refused (<c>0300004</c>); anything else the
/// stores or the catalog could not do now is <c>0300503</c>, with what was being done and why.
/// </summary>
public static class StorageAnswers
{
    /// <param name="e">What was thrown.</param>
    /// <param name="pathField">The field that named the path.</param>
    /// <param name="doing">What could not be done, e.g. "the file could not be read".</param>
    /// <returns>The answer, or null when <paramref name="e"/> is not a storage or catalog failure (a bug, which shows whole).</returns>
    public static IResult? For(Exception e, string pathField, string doing) => e switch
    {
        OutsideRootException => CcfsResults.Answer(CcfsResult.Format(pathField), e.Message),
        Lifecycle.RemovalFailedException => CcfsResults.Unavailable(e.Message),
        _ when StorageFailure.Is(e) => CcfsResults.Unavailable($"{doing}: {e.Message}"),
        _ => null,
    };
}
