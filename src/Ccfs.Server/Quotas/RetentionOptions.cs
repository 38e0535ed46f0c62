namespace Ccfs.Server.Quotas;

/// <summary>The <c>Ccfs:Retention</c> section: how the retention sweeper runs (the <c>retainFor</c> parameter says what it deletes).</summary>
public sealed class RetentionOptions
{
    /// <summary>
    /// Whether this node sweeps. Off, it never deletes for retention (the preview and pins still work): to pause retention
    /// during an incident or a migration without touching any <c>retainFor</c>, or to leave sweeping to some nodes only.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each VDN with a <c>retainFor</c> is swept, once per interval across every node.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most files a sweeper deletes per second, so a first sweep of a large VDN does not crowd out uploads.</summary>
    public double DeletesPerSecond { get; set; } = 10;

    /// <summary>Adds a message for each value that cannot work.</summary>
    public void Check(List<string> errors)
    {
        if (SweepInterval < TimeSpan.FromSeconds(1) || SweepInterval > TimeSpan.FromDays(7))
        {
            errors.Add($"Ccfs:Retention:SweepInterval is {SweepInterval}; it must be from 00:00:01 to 7.00:00:00");
        }

        if (double.IsNaN(DeletesPerSecond) || DeletesPerSecond < 0.01 || DeletesPerSecond > 10000)
        {
            errors.Add($"Ccfs:Retention:DeletesPerSecond is {DeletesPerSecond}; it must be from 0.01 to 10000");
        }
    }
}
