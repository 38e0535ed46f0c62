using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;
using Assembly = System.Reflection.Assembly;

namespace Ccfs.Architecture.Tests;

/// <summary>
/// The layout's rules (docs/architecture.md), read from the built assemblies: each back-end's library is used only in
/// its own folder, the interfaces never meet a storage exception, Protocol and Audio stay free of ASP.NET and of the
/// rest of ccfs, and the server and the SDK never reference each other.
/// </summary>
public sealed class LayoutRules
{
    private static readonly Assembly Server = typeof(global::Ccfs.Server.CcfsServer).Assembly;
    private static readonly Assembly Client = typeof(global::Ccfs.Client.CcfsClient).Assembly;
    private static readonly Assembly Protocol = typeof(global::Ccfs.Protocol.CcfsPaths).Assembly;
    private static readonly Assembly Audio = typeof(global::Ccfs.Audio.WaveValidator).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Ccfs = new ArchLoader()
        .LoadAssemblies(Server, Client, Protocol, Audio, typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly,
            typeof(Npgsql.NpgsqlConnection).Assembly, typeof(Amazon.S3.AmazonS3Client).Assembly, typeof(Amazon.Runtime.AmazonServiceException).Assembly)
        .Build();

    [Theory]
    [InlineData("Microsoft.Data.Sqlite", "Ccfs.Server.Catalog.Sqlite")]
    [InlineData("Npgsql", "Ccfs.Server.Catalog.Postgres")]
    [InlineData("Amazon", "Ccfs.Server.Storage.S3")]
    public void A_back_ends_library_is_used_only_in_its_own_folder(string library, string folder) =>
        Types().That().ResideInAssembly(Server).And().DoNotResideInNamespaceMatching(Below(folder))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(Below(library)))
            .Because($"only {folder} may know {library}")
            .Check(Ccfs);

    [Fact]
    public void The_interfaces_never_meet_a_storage_exception()
    {
        // A catch clause lives in the method's exception table, which a dependency rule does not read: Cecil reads both.
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(Server.Location);
        var met = module.GetTypes()
            .Where(t => t.Namespace.StartsWith("Ccfs.Server.Interfaces", StringComparison.Ordinal) || t.DeclaringType is not null
                && Outermost(t).Namespace.StartsWith("Ccfs.Server.Interfaces", StringComparison.Ordinal))
            .SelectMany(t => t.Methods.Where(m => m.HasBody).SelectMany(m => TypesIn(m.Body).Select(used => $"{t.FullName}.{m.Name} uses {used}")))
            .Where(use => use.Contains(" uses Ccfs.Server.Storage", StringComparison.Ordinal) && use.EndsWith("Exception", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        Assert.True(met.Count == 0, "storage and catalog failures reach the interfaces as answers (Http/StorageAnswers), but:\n"
            + string.Join("\n", met));
    }

    [Fact]
    public void The_catalogs_stores_are_written_once_and_know_no_dialect() =>
        // Only the provider's factory picks a back-end; nothing else in the shared room names one.
        Types().That().ResideInNamespace("Ccfs.Server.Catalog").And().DoNotHaveName(nameof(global::Ccfs.Server.Catalog.CatalogProvider))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(Below("Ccfs.Server.Catalog.Sqlite"))
                .Or().ResideInNamespaceMatching(Below("Ccfs.Server.Catalog.Postgres")))
            .Because("a store asks the dialect for what differs")
            .Check(Ccfs);

    [Theory]
    [InlineData("Ccfs.Protocol")]
    [InlineData("Ccfs.Audio")]
    public void Protocol_and_Audio_reference_neither_ASP_NET_nor_the_rest_of_ccfs(string project)
    {
        var assembly = project == "Ccfs.Protocol" ? Protocol : Audio;

        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Ccfs.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_server_and_the_SDK_never_reference_each_other()
    {
        Assert.DoesNotContain(Server.GetReferencedAssemblies(), a => a.Name == Client.GetName().Name);
        Assert.DoesNotContain(Client.GetReferencedAssemblies(), a => a.Name == Server.GetName().Name);
    }

    private static Mono.Cecil.TypeDefinition Outermost(Mono.Cecil.TypeDefinition type) =>
        type.DeclaringType is null ? type : Outermost(type.DeclaringType);

    /// <summary>The types a method body names: in its catch clauses, and as operands or declaring types of its instructions.</summary>
    private static IEnumerable<string> TypesIn(Mono.Cecil.Cil.MethodBody body) =>
        body.ExceptionHandlers.Where(h => h.CatchType is not null).Select(h => h.CatchType.FullName)
            .Concat(body.Instructions.Select(i => i.Operand switch
            {
                Mono.Cecil.TypeReference type => type.FullName,
                Mono.Cecil.MemberReference member => member.DeclaringType?.FullName,
                _ => null,
            }).OfType<string>());

    /// <summary>A namespace and everything below it.</summary>
    private static string Below(string ns) => "^" + System.Text.RegularExpressions.Regex.Escape(ns) + @"(\..*)?$";
}
