namespace Ccfs.Server.Catalog.Sqlite;

/// <summary>
/// Runs an async loop on a thread of its own, every continuation included. SQLite's calls are synchronous and a wait
/// for a database held by another process blocks inside them; on this thread that blocks nobody else, where on the
/// thread pool it would take a thread the requests need. The thread sleeps on a monitor between batches: no spinning.
/// </summary>
internal sealed class WriterThread : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _work = new();
    private bool _ended;

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

            task.ContinueWith(_ => context.End(), TaskScheduler.Default);
            context.RunUntilEnded();
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
        lock (_work)
        {
            if (!_ended)
            {
                _work.Enqueue((d, state));
                Monitor.Pulse(_work);
                return;
            }
        }

        // The loop has ended; whatever still wants to run does so on the pool.
        ThreadPool.QueueUserWorkItem(_ => d(state));
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    public override SynchronizationContext CreateCopy() => this;

    private void RunUntilEnded()
    {
        while (true)
        {
            (SendOrPostCallback Callback, object? State) next;
            lock (_work)
            {
                while (_work.Count == 0 && !_ended)
                {
                    Monitor.Wait(_work);
                }

                if (_work.Count == 0)
                {
                    return;
                }

                next = _work.Dequeue();
            }

            next.Callback(next.State);
        }
    }

    private void End()
    {
        lock (_work)
        {
            _ended = true;
            Monitor.Pulse(_work);
        }
    }
}
