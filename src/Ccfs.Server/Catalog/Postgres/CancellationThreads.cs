namespace Ccfs.Server.Catalog.Postgres;

/// <summary>
/// Npgsql cancels a command (at its timeout, or when its token is cancelled) with a cancel request it sends
/// synchronously, on the pool thread that noticed. On a server frozen rather than down that thread waits up to the
/// connection <c>Timeout</c> (the cancel connection's encryption handshake gets no answer), and a second thread may wait
/// for the first. Three such commands at once (the writer's batch, a read, the node's lease) starved the thread pool of
/// a 2-core machine: every request then waited 3-6 s more for a thread, while the pool grew by about one a second.
/// The pool is therefore allowed to start at once a thread for each connection the catalog may hold.
/// </summary>
public static class CancellationThreads
{
    public static void Reserve(int maxPoolSize)
    {
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.GetMaxThreads(out var most, out _);
        var wanted = (int)Math.Min((long)maxPoolSize + Environment.ProcessorCount, most);
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, completions);
        }
    }
}
