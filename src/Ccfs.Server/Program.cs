return await Ccfs.Server.CcfsServerHost.RunAsync(args);

/// <summary>The entry point, visible to in-process tests.</summary>
public partial class Program;
