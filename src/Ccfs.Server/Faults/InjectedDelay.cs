namespace Ccfs.Server.Faults;

/// <summary>
/// A fault rule's delay for one request, waited once: as the answer starts, or before that by an interface that would
/// otherwise hold something open through it (a download's file, or an S3 answer its store may close while idle).
/// Real time, whatever the server's clock; it ends early when the client gives up.
/// </summary>
public sealed class InjectedDelay(HttpContext http, int delayMs)
{
    private Task? _waited;

    /// <summary>Waits out the delay of the request's fault rule, if it has one.</summary>
    public static Task WaitIfAnyAsync(HttpContext http) => http.Features.Get<InjectedDelay>()?.WaitAsync() ?? Task.CompletedTask;

    public Task WaitAsync() => _waited ??= WaitOnceAsync();

    private async Task WaitOnceAsync()
    {
        try
        {
            await Task.Delay(delayMs, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client gave up while it waited: the answer goes nowhere, and the journal says 499.
        }
    }
}
