using Ccfs.Server.Storage;
using Ccfs.Server.Storage.Disk;

namespace Ccfs.Server.Tests.Unit.Storage.Disk;

/// <summary>Placing a finished file under a name only if the name is free, with writers released at the same instant.</summary>
public sealed class NewFileTests : IDisposable
{
    private const int Writers = 8;
    private readonly string _folder = Directory.CreateTempSubdirectory("ccfs-newfile").FullName;

    [Fact]
    public async Task Exactly_one_of_many_racing_writers_gets_the_name_and_its_bytes_stay()
    {
        for (var round = 0; round < 50; round++)
        {
            var name = Path.Combine(_folder, $"{round}.wav");
            var finished = Enumerable.Range(0, Writers).Select(i => Path.Combine(_folder, $"{round}-{i}.tmp")).ToArray();
            for (var i = 0; i < Writers; i++)
            {
                await File.WriteAllTextAsync(finished[i], $"writer {i}");
            }

            using var start = new Barrier(Writers);
            var won = await Task.WhenAll(finished.Select(f => Task.Run(() =>
            {
                start.SignalAndWait();
                return NewFile.TryLink(f, name);
            })));

            var winner = Assert.Single(won.Select((w, i) => (w, i)), x => x.w).i;
            Assert.Equal($"writer {winner}", await File.ReadAllTextAsync(name));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
