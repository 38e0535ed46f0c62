using System.Collections.Concurrent;

namespace Ccfs.Server.Metadata.Sqlite;

/// <summary>
/// Runs an async loop on a thread of its own, every continuation included. SQLite's calls are synchronous and a wait
/// for a database held by another process blocks inside them; on this thread that blocks nobody else, where on the
/// thread pool it would take a thread the requests need.
/// </summary>
internal sealed class WriterThread : SynchronizationContext
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _work = [];

    private WriterThread()
    {
    }

    public static Task Start(string name, Func<Task> loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            var context = new WriterThread();
            SetSynchronizationContext(context);
            Task task;
            try
            {
                task = loop();
            }
            catch (Exception e)
            {
                task = Task.FromException(e);
            }

            task.ContinueWith(_ => context._work.CompleteAdding(), TaskScheduler.Default);
            foreach (var (callback, state) in context._work.GetConsumingEnumerable())
            {
                callback(state);
            }

            if (task.Exception is { } failure)
            {
                done.TrySetException(failure.InnerExceptions);
            }
            else
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _work.Add((d, state));
        }
        catch (InvalidOperationException)
        {
            // The loop has ended; whatever still wants to run does so on the pool.
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    public override SynchronizationContext CreateCopy() => this;
}
