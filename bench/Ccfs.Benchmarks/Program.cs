using BenchmarkDotNet.Running;
using Ccfs.Benchmarks;

if (args.Length > 0 && args[0] == "load")
{
    return await LoadDriver.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(UploadWorkBenchmarks).Assembly).Run(args);
return 0;
