using Ccfs.Server;
using Ccfs.Server.Configuration;

if (ScrubCommand.IsInvoked(args))
{
    return await ScrubCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCcfsServer();

WebApplication app;
CcfsSettings settings;
try
{
    // Building the host already reads settings (the shutdown timeout), so a bad configuration can surface here too.
    app = builder.Build();
    settings = app.Services.GetRequiredService<CcfsSettings>();
    // So an unusable master key file stops the start with its message, not later inside a hosted service.
    app.Services.GetRequiredService<Ccfs.Server.Auth.MasterKey>();
}
catch (CcfsConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

app.MapCcfsServer(settings);
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to in-process tests.</summary>
public partial class Program;
