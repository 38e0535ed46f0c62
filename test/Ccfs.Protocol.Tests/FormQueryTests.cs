namespace Ccfs.Protocol.Tests;

public sealed class FormQueryTests
{
    [Fact]
    public void Form_decodes_keys_and_values()
    {
        var query = FormQuery.Parse("?b=x+y&%C3%A4=~-._*%2B%2F&a=");

        Assert.Equal([new("b", "x y"), new("ä", "~-._*+/"), new("a", "")], query);
    }

    [Fact]
    public void Keeps_the_first_of_a_repeated_key_and_skips_empty_pieces()
    {
        var query = FormQuery.Parse("vdnId=53&&vdnId=54&flag");

        Assert.Equal([new("vdnId", "53"), new("flag", "")], query);
        Assert.Equal("53", FormQuery.Get(query, "vdnId"));
        Assert.Null(FormQuery.Get(query, "VDNID"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("?")]
    public void No_query_gives_no_parameters(string? raw)
    {
        Assert.Empty(FormQuery.Parse(raw));
    }
}
