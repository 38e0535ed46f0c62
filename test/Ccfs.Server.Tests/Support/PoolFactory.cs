namespace Ccfs.Server.Tests;

/// <summary>The server in CTI pool mode: locations 0 and 256, each in its own folder under the data dir.</summary>
public sealed class PoolFactory() : CcfsFactory(new() { ["Ccfs:Locations:0:Id"] = "0", ["Ccfs:Locations:1:Id"] = "256" });
