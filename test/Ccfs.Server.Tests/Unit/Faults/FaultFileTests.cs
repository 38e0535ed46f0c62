using Ccfs.Server.Faults;
using Ccfs.Server.Hosting;

namespace Ccfs.Server.Tests.Unit.Faults;

/// <summary>
/// <c>--faults FILE</c> stops the start naming every problem in the API's words: rules counted from 1, as a person
/// counts them, and a wrong property named with its path, never a .NET type.
/// </summary>
public sealed class FaultFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ccfs-faults-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Each_bad_rule_is_named_by_its_number_from_one_and_its_problem()
    {
        File.WriteAllText(_file, """
            [
              {"action": {"resultCode": "0300503"}, "times": 1},
              {"action": {"delayMs": 1.5}},
              {"match": {"interface": "upload"}, "action": {"resultCode": "0300503"}}
            ]
            """);

        var refused = Assert.Throws<CcfsStartupException>(() => FaultFile.Read(_file));

        Assert.EndsWith("has problems: rule 2: property 'action.delayMs' must be a whole number; "
            + "rule 3: match.interface 'upload' is not one of uploadFile, deleteFile, getFileHash, downloadFile", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"action": {"resultCode": "0300503"}}""", "is not a JSON array of rules")]
    [InlineData("""[{"action": """, "is not valid JSON (line 1); it must be a JSON array of rules")]
    public void A_file_that_is_no_array_of_rules_says_what_it_must_be(string text, string expected)
    {
        File.WriteAllText(_file, text);

        var refused = Assert.Throws<CcfsStartupException>(() => FaultFile.Read(_file));

        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Ccfs.Server", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_rules_are_read_in_order()
    {
        File.WriteAllText(_file, """[{"action": {"resultCode": "0300503"}, "times": 1}, {"action": {"delayMs": 100}}]""");

        var rules = FaultFile.Read(_file);

        Assert.Equal(["0300503", null], rules.Select(r => r.Action!.ResultCode));
        Assert.Equal(100, rules[1].Action!.DelayMs);
    }
}
