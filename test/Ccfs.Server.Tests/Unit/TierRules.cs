using Mono.Cecil;

namespace Ccfs.Server.Tests.Unit;

/// <summary>
/// The folder is the tier (docs/testing.md), and the passes on PostgreSQL leave the process tier out by its namespace
/// alone, so a process test filed anywhere else would run there unnoticed. Read from this assembly's IL, following each
/// method into the methods of this assembly it calls, its lambdas and its async state machine: nothing outside
/// <c>Process</c> starts a server process or haproxy, every test in <c>Process</c> does (itself or through its class's
/// constructor or fixture), and nothing in <c>Unit</c> hosts the server in-process.
/// </summary>
public sealed class TierRules : IDisposable
{
    private const string Process = "Ccfs.Server.Tests.Process";
    private const string Unit = "Ccfs.Server.Tests.Unit";

    /// <summary>Types whose every use means server processes: the two-node cluster, its nodes, and haproxy in front.</summary>
    private static readonly string[] ProcessTypes = [$"{Process}.TwoNodeCluster", $"{Process}.ClusterNode", $"{Process}.Haproxy"];

    private readonly ModuleDefinition _tests;

    public TierRules()
    {
        // Factories derive from CcfsFactory in Ccfs.Tests.Common, which is found next to this assembly.
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(AppContext.BaseDirectory);
        _tests = ModuleDefinition.ReadModule(typeof(TierRules).Assembly.Location, new ReaderParameters { AssemblyResolver = resolver });
    }

    [Fact]
    public void Nothing_outside_the_process_tier_starts_a_server_process()
    {
        var outside = TestTypes().Where(t => !In(t, Process))
            .SelectMany(t => MethodsOf(t).Where(StartsProcess).Select(m => $"{t.FullName}.{m.Name}"))
            .ToList();

        Assert.True(outside.Count == 0, $"these start a server process or haproxy, so they belong in {Process}:\n"
            + string.Join("\n", outside));
    }

    [Fact]
    public void Every_test_of_the_process_tier_starts_a_server_process()
    {
        var processTests = TestTypes().Where(t => In(t, Process))
            .SelectMany(t => t.Methods.Where(IsTest).Select(m => (Type: t, Test: m)))
            .ToList();
        var without = processTests.Where(p => !StartsProcess(p.Test) && !p.Type.Methods.Where(IsSetUp).Any(StartsProcess))
            .Select(p => $"{p.Type.FullName}.{p.Test.Name}")
            .ToList();

        Assert.NotEmpty(processTests);
        Assert.True(without.Count == 0, "these start no server process, so the passes on other back-ends miss them; "
            + $"move them out of {Process}:\n" + string.Join("\n", without));
    }

    [Fact]
    public void Nothing_in_the_unit_tier_hosts_the_server()
    {
        var hosting = TestTypes().Where(t => In(t, Unit))
            .SelectMany(t => MethodsOf(t).Where(HostsServer).Select(m => $"{t.FullName}.{m.Name}"))
            .ToList();

        Assert.True(hosting.Count == 0, $"these host the server in-process, so they belong in Ccfs.Server.Tests.Functional:\n"
            + string.Join("\n", hosting));
    }

    [Fact]
    public void The_process_types_these_rules_know_exist()
    {
        Assert.All(ProcessTypes, name => Assert.NotNull(_tests.GetType(name)));
    }

    public void Dispose()
    {
        _tests.AssemblyResolver.Dispose();
        _tests.Dispose();
    }

    private IEnumerable<TypeDefinition> TestTypes() =>
        _tests.Types.Where(t => t.Namespace.StartsWith("Ccfs.Server.Tests", StringComparison.Ordinal));

    private static bool In(TypeDefinition type, string tier) =>
        type.Namespace == tier || type.Namespace.StartsWith(tier + ".", StringComparison.Ordinal);

    /// <summary>
    /// The methods of a type and of the types nested in it, as written: the compiler's closures and state machines are
    /// followed from the methods they belong to.
    /// </summary>
    private static IEnumerable<MethodDefinition> MethodsOf(TypeDefinition type) =>
        type.Methods.Where(m => !m.Name.Contains('<', StringComparison.Ordinal))
            .Concat(type.NestedTypes.Where(n => !n.Name.Contains('<', StringComparison.Ordinal)).SelectMany(MethodsOf));

    private static bool IsTest(MethodDefinition method) =>
        method.CustomAttributes.Any(a => a.AttributeType.FullName is "Xunit.FactAttribute" or "Xunit.TheoryAttribute");

    /// <summary>What runs before each test of a class: its constructor (which takes the fixtures) and InitializeAsync.</summary>
    private static bool IsSetUp(MethodDefinition method) => method.IsConstructor && !method.IsStatic || method.Name == "InitializeAsync";

    private static bool StartsProcess(MethodDefinition method) => Reaches(method, StartsProcessItself);

    private static bool HostsServer(MethodDefinition method) => Reaches(method, HostsServerItself);

    private static bool StartsProcessItself(object operand) => operand switch
    {
        MethodReference m when m.DeclaringType.FullName == typeof(ServerProcess).FullName
            => m.Name.StartsWith("Start", StringComparison.Ordinal),
        MemberReference m when IsProcessType(m.DeclaringType) => true,
        FieldReference f => IsProcessType(f.FieldType),
        TypeReference t => IsProcessType(t),
        _ => false,
    };

    private static bool IsProcessType(TypeReference? type) => type is not null && ProcessTypes.Contains(type.FullName);

    /// <summary>A call to a member of <see cref="CcfsFactory"/>, of a factory built on it, or of WebApplicationFactory.</summary>
    private static bool HostsServerItself(object operand) => operand is MethodReference m && IsServerHost(m.DeclaringType);

    private static bool IsServerHost(TypeReference? type)
    {
        for (var depth = 0; type is not null && depth < 10; depth++)
        {
            if (type.FullName == typeof(CcfsFactory).FullName
                || type.GetElementType().FullName == "Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory`1")
            {
                return true;
            }

            // Factories are derived in this assembly or in Ccfs.Tests.Common; the framework's own types end the walk.
            type = type.Scope.Name.StartsWith("Ccfs.", StringComparison.Ordinal) ? type.Resolve()?.BaseType : null;
        }

        return false;
    }

    /// <summary>
    /// Whether the method, or a method of this assembly it calls or hands on as a delegate (lambdas, local functions,
    /// the state machine of an async method), has an instruction whose operand <paramref name="itself"/> matches.
    /// </summary>
    private static bool Reaches(MethodDefinition start, Func<object, bool> itself)
    {
        var seen = new HashSet<MethodDefinition>();
        var pending = new Stack<MethodDefinition>([start]);
        while (pending.TryPop(out var method))
        {
            if (!seen.Add(method))
            {
                continue;
            }

            var stateMachines = method.CustomAttributes.Where(a => a.AttributeType.Name.EndsWith("StateMachineAttribute", StringComparison.Ordinal));
            foreach (var attribute in stateMachines)
            {
                if (attribute.ConstructorArguments is [{ Value: TypeReference machine }] && machine.Resolve() is { } type)
                {
                    type.Methods.ToList().ForEach(pending.Push);
                }
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var operand in method.Body.Instructions.Select(i => i.Operand).OfType<object>())
            {
                if (itself(operand))
                {
                    return true;
                }

                // Only methods of this assembly are followed: their declaring types are definitions here.
                if (operand is MethodReference called && called.DeclaringType.GetElementType() is TypeDefinition
                    && called.Resolve() is { } definition)
                {
                    pending.Push(definition);
                }
            }
        }

        return false;
    }
}
