using System.Text;
using System.Text.RegularExpressions;

namespace Ccfs.Server.Faults;

/// <summary>
/// A fault rule's <c>fileName</c>: <c>*</c> stands for any characters but '/', <c>**</c> for any, <c>?</c> for one;
/// matched case-sensitively against the path a request names ('\' read as '/'), or against the file's own name when the
/// glob has no '/'.
/// </summary>
public sealed class FileNameGlob
{
    public const int MaxLength = 1024;

    private readonly Regex _regex;
    private readonly bool _nameOnly;

    private FileNameGlob(string glob)
    {
        _nameOnly = !glob.Contains('/', StringComparison.Ordinal);
        var pattern = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            pattern.Append(glob[i] switch
            {
                '*' when i + 1 < glob.Length && glob[i + 1] == '*' => ".*",
                '*' => "[^/]*",
                '?' => "[^/]",
                var c => Regex.Escape(c.ToString()),
            });
            if (glob[i] == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                i++;
            }
        }

        _regex = new Regex(pattern.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public static string? Problem(string glob) => glob.Length switch
    {
        0 => "is empty; leave it out to match every file",
        > MaxLength => $"is longer than {MaxLength} characters",
        _ => null,
    };

    public static FileNameGlob Parse(string glob) => new(glob.Replace('\\', '/'));

    public bool Matches(string? path)
    {
        if (path is null)
        {
            return false;
        }

        path = path.Replace('\\', '/');
        return _regex.IsMatch(_nameOnly ? path[(path.LastIndexOf('/') + 1)..] : path);
    }
}
