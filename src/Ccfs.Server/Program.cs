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
