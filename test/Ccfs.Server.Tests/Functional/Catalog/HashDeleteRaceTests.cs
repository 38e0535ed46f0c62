using Ccfs.Server.Observability;

namespace Ccfs.Server.Tests.Functional.Catalog;

/// <summary>getFileHash racing deleteFile: answered as found or not found, never counted as an integrity problem.</summary>
public sealed class HashDeleteRaceTests : IDisposable
{
    private const int Races = 300;
    private readonly CcfsFactory _factory = new();

    [Fact]
    public async Task A_hash_that_meets_a_delete_half_way_is_not_found_and_raises_no_integrity_alarm()
    {
        var client = _factory.Signed();
        var answers = new Dictionary<string, int>();
        for (var i = 0; i < Races; i++)
        {
            var fileName = await client.StoreAsync(Samples.ALawOfSize(1000 + i));
            var hash = Task.Run(() => client.HashAsync(fileName));
            var delete = Task.Run(() => client.DeleteAsync(fileName));

            // On a loaded machine (a CI pass on PostgreSQL and S3) a catalog or store call may outlast its bound: the answer
            // is then 0300503 with nothing lost, and the client tries again, as CC-FS clients do.
            var deleted = await CcfsAnswer.ResultCodeAsync(await delete);
            for (var retry = 0; deleted == "0300503" && retry < 5; retry++)
            {
                deleted = await CcfsAnswer.ResultCodeAsync(await client.DeleteAsync(fileName));
            }

            Assert.Contains(deleted, new[] { "0", "0300011" });
            var code = await CcfsAnswer.ResultCodeAsync(await hash);
            Assert.Contains(code, new[] { "0", "0300011", "0300503" });
            answers[code] = answers.GetValueOrDefault(code) + 1;
        }

        // A delete answered 0300503 and then 0300011 left its marked row to recovery, which finishes it.
        await _factory.RecoverAsync();

        var problems = _factory.Services.GetRequiredService<CcfsMetrics>().IntegrityProblems;
        Assert.Equal(0, problems.WithLabels("0", "missing").Value + problems.WithLabels("0", "corrupt").Value);
        Assert.Empty(_factory.CatalogRows());
        Assert.Equal(Races, answers.Values.Sum());
    }

    public void Dispose() => _factory.Dispose();
}
