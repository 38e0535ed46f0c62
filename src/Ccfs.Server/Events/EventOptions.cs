namespace Ccfs.Server.Events;

/// <summary>The <c>Ccfs:Events</c> section: how events are kept and how webhooks are delivered.</summary>
public sealed class EventOptions
{
    /// <summary>
    /// Deliver to addresses in private, loopback, link-local and other non-public ranges. Null (the default) means true
    /// exactly when every listener is on loopback (a developer's machine) and false otherwise, so a server others can
    /// reach cannot be made to send requests into its own network.
    /// </summary>
    public bool? AllowPrivateDestinations { get; set; }

    /// <summary>How long events, delivery records and dead letters are kept; older ones are purged hourly.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Deliveries one subscription may have under way at once (one per VDN at most, so each VDN's order holds).</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>How long connecting to a receiver may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a receiver may take to answer a delivery, once connected.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a node looks for events to deliver besides being woken by its own writes (events other nodes wrote, retries due).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Adds a message for each value that cannot work.</summary>
    public void Check(List<string> errors)
    {
        if (Retention < TimeSpan.FromHours(1))
        {
            errors.Add($"Ccfs:Events:Retention is {Retention}; it must be at least 01:00:00");
        }

        if (MaxConcurrentDeliveries is < 1 or > 64)
        {
            errors.Add($"Ccfs:Events:MaxConcurrentDeliveries is {MaxConcurrentDeliveries}; it must be from 1 to 64");
        }

        if (ConnectTimeout <= TimeSpan.Zero || Timeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromMinutes(1) || Timeout > TimeSpan.FromMinutes(5))
        {
            errors.Add("Ccfs:Events:ConnectTimeout must be positive and at most 00:01:00, and Ccfs:Events:Timeout positive and at most 00:05:00");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(50) || PollInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"Ccfs:Events:PollInterval is {PollInterval}; it must be from 00:00:00.05 to 00:01:00");
        }
    }
}
