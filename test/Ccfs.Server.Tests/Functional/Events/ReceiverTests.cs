namespace Ccfs.Server.Tests.Functional.Events;

/// <summary>
/// The set-up the event tests share: a server of their own and a webhook receiver that reads signatures on the
/// server's clock, made afresh for each test (xUnit makes an instance of the class per test) and disposed after it.
/// </summary>
public abstract class ReceiverTests : IAsyncLifetime
{
    protected CcfsFactory Factory { get; } = new();

    protected WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Receiver.Time = Factory.Time;
    }

    public async Task DisposeAsync()
    {
        Factory.Dispose();
        await Receiver.DisposeAsync();
    }
}
