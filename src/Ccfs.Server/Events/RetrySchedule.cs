namespace Ccfs.Server.Events;

/// <summary>
/// When a failed delivery is tried again: after 5 s, 10 s, 30 s (three retries within a minute, for a receiver that
/// restarts), then 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h and 8 h, each stretched or shortened by up to a fifth at
/// random so receivers that failed together are not retried together. Twelve attempts span about a day; when the last
/// fails the event goes to the dead letter.
/// </summary>
public static class RetrySchedule
{
    public static IReadOnlyList<TimeSpan> Delays { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(8),
        TimeSpan.FromHours(8),
    ];

    /// <summary>Attempts in all, the first included.</summary>
    public static int MaxAttempts => Delays.Count + 1;

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based); null once every attempt has failed.</summary>
    public static TimeSpan? After(int attempt, Random random)
    {
        if (attempt < 1 || attempt > Delays.Count)
        {
            return null;
        }

        return Delays[attempt - 1] * (0.8 + 0.4 * random.NextDouble());
    }
}
