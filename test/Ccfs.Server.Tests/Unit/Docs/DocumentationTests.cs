using System.Collections;
using System.Text.RegularExpressions;
using Ccfs.Server.Configuration;

namespace Ccfs.Server.Tests.Unit.Docs;

/// <summary>
/// The docs stay true to the code: every link between them resolves, and docs/configuration.md lists every configuration
/// key the server binds and no key it does not.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = TestData.RepositoryRoot;

    public static TheoryData<string> Documents() =>
        [.. new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Root, f)))];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_names_a_file_and_heading_that_exist(string document)
    {
        var folder = Path.GetDirectoryName(Path.Combine(Root, document))!;
        var broken = new List<string>();
        foreach (Match link in LinkPattern().Matches(WithoutCode(File.ReadAllText(Path.Combine(Root, document)))))
        {
            var target = link.Groups["target"].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var (file, anchor) = target.Split('#', 2) is [var f, var a] ? (f, a) : (target, null);
            var path = file.Length == 0 ? Path.Combine(Root, document) : Path.GetFullPath(Path.Combine(folder, file));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                broken.Add($"{target}: no such file");
            }
            else if (anchor is not null && File.Exists(path) && !Anchors(path).Contains(anchor))
            {
                broken.Add($"{target}: no heading #{anchor}");
            }
        }

        Assert.True(broken.Count == 0, $"{document}: " + string.Join("; ", broken));
    }

    [Fact]
    public void Configuration_md_lists_every_key_the_server_binds_and_no_other()
    {
        var bound = Keys(typeof(CcfsOptions), "Ccfs").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var documented = DocumentedKeys(File.ReadAllText(Path.Combine(Root, "docs", "configuration.md"))).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var undocumented = bound.Except(documented).Order(StringComparer.Ordinal).ToList();
        var unknown = documented.Except(bound).Order(StringComparer.Ordinal).ToList();
        Assert.True(undocumented.Count == 0, "not in docs/configuration.md: " + string.Join(", ", undocumented));
        Assert.True(unknown.Count == 0, "in docs/configuration.md but not bound: " + string.Join(", ", unknown));
    }

    /// <summary>
    /// Any key a document, the README or a deploy/ file tells someone to set (<c>Ccfs__Log__Format=text</c>,
    /// <c>--Ccfs:DataDir=…</c>, <c>`Ccfs:Auth:MaxClockSkew`</c>) is one the server binds, so no advice sets a key that
    /// does nothing.
    /// </summary>
    [Fact]
    public void Every_configuration_key_the_documents_mention_is_one_the_server_binds()
    {
        var bound = Keys(typeof(CcfsOptions), "Ccfs").Select(k => k.Split(':')).ToList();
        var files = new[] { Path.Combine(Root, "README.md") }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md"))
            .Concat(Directory.GetFiles(Path.Combine(Root, "deploy")));
        // docs/running.md shows the start-up errors for these two on purpose.
        string[] wrongOnPurpose = ["Ccfs:Paramters:DriveLetter", "Ccfs:Accounts:AccessKey"];
        var unknown = new List<string>();
        foreach (var file in files)
        {
            foreach (Match mention in MentionedKey().Matches(File.ReadAllText(file)))
            {
                var segments = mention.Value.Replace("__", ":", StringComparison.Ordinal).TrimEnd('.', ':').Split(':')
                    .Select(s => s.All(char.IsAsciiDigit) || s == "M" ? "N" : s).ToArray();
                // A mention may name a section (`Ccfs:Limits`, `Ccfs:Locations:N`) as well as a key.
                if (!wrongOnPurpose.Contains(mention.Value.TrimEnd('.', ':')) && !bound.Any(key => key.Length >= segments.Length && segments.Select((s, i) =>
                        key[i] == "<key>" || string.Equals(key[i], s, StringComparison.OrdinalIgnoreCase)).All(fits => fits)))
                {
                    unknown.Add($"{Path.GetRelativePath(Root, file)}: {mention.Value}");
                }
            }
        }

        Assert.True(unknown.Count == 0, "keys the server does not bind: " + string.Join("; ", unknown.Distinct()));
    }

    /// <summary>docs/deployment.md shows deploy/haproxy.cfg's sections as they are, so the guide and the file never part.</summary>
    [Fact]
    public void Deployment_md_shows_the_haproxy_configuration_as_the_file_has_it()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "deploy", "haproxy.cfg")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        var sections = string.Join('\n', lines.Skip(lines.FindIndex(l => l.StartsWith("defaults", StringComparison.Ordinal)))).Trim();
        var guide = File.ReadAllText(Path.Combine(Root, "docs", "deployment.md"));
        var shown = HaproxyListing().Match(guide);

        Assert.True(shown.Success, "docs/deployment.md has no listing of haproxy.cfg's sections");
        Assert.Equal(sections, shown.Groups["cfg"].Value.Trim());
    }

    /// <summary>Every leaf key under <paramref name="prefix"/>, list indices written <c>N</c> and dictionary keys <c>&lt;key&gt;</c>.</summary>
    private static IEnumerable<string> Keys(Type type, string prefix)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan))
        {
            yield return prefix;
            yield break;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            foreach (var key in Keys(type.GetGenericArguments()[1], prefix + ":<key>"))
            {
                yield return key;
            }

            yield break;
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            foreach (var key in Keys(type.GetGenericArguments()[0], prefix + ":N"))
            {
                yield return key;
            }

            yield break;
        }

        foreach (var property in type.GetProperties().Where(p => p.CanWrite))
        {
            foreach (var key in Keys(property.PropertyType, prefix + ":" + property.Name))
            {
                yield return key;
            }
        }
    }

    /// <summary>
    /// The keys in the first cell of each table row: <c>`Ccfs:A:B:C`</c>, then <c>`…:D`</c> for a sibling of the last
    /// segment; indices (<c>N</c>, <c>M</c>) read as <c>N</c>, <c>&lt;code&gt;</c>-style placeholders as <c>&lt;key&gt;</c>.
    /// </summary>
    private static IEnumerable<string> DocumentedKeys(string markdown)
    {
        foreach (var row in markdown.Split('\n').Where(l => l.StartsWith("| `Ccfs:", StringComparison.Ordinal)))
        {
            var cell = row.Split('|')[1];
            string? first = null;
            foreach (Match code in CodePattern().Matches(cell))
            {
                var key = code.Groups["code"].Value;
                if (first is null)
                {
                    first = key;
                }
                else if (key.StartsWith("…:", StringComparison.Ordinal))
                {
                    key = first[..first.LastIndexOf(':')] + key[1..];
                }
                else if (!key.StartsWith("Ccfs:", StringComparison.Ordinal))
                {
                    continue;
                }

                yield return string.Join(':', key.Split(':').Select(s => s is "N" or "M" ? "N" : s.StartsWith('<') ? "<key>" : s));
            }
        }
    }

    private static HashSet<string> Anchors(string markdownFile) =>
        [.. File.ReadAllLines(markdownFile).Where(l => l.StartsWith('#')).Select(l => Slug(l.TrimStart('#').Trim()))];

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static string Slug(string heading) =>
        SlugDrop().Replace(heading.ToLowerInvariant().Replace("`", "", StringComparison.Ordinal), "").Replace(' ', '-');

    private static string WithoutCode(string markdown) => FencePattern().Replace(markdown, "");

    [GeneratedRegex("Its sections, without the comments.*?```\n(?<cfg>defaults.*?)```", RegexOptions.Singleline)]
    private static partial Regex HaproxyListing();

    [GeneratedRegex(@"\bCcfs(?:__|:)[A-Za-z0-9_:<>.]+")]
    private static partial Regex MentionedKey();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"`(?<code>[^`]+)`")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex SlugDrop();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex FencePattern();
}
