using BenchmarkDotNet.Running;
using Ccfs.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(UploadWorkBenchmarks).Assembly).Run(args);
