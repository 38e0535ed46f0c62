using Ccfs.Cli;

return await CcfsCli.RunAsync(args, CliConsole.Standard);
