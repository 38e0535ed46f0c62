using System.CommandLine;
using Ccfs.Protocol;

namespace Ccfs.Cli.Commands;

/// <summary><c>ccfs delete FILE_NAME [--location ID]</c>: deleteFile.</summary>
internal static class DeleteCommand
{
    public static Command Create(ConnectionOptions connection, CliConsole console)
    {
        var fileName = new Argument<string>("fileName") { Description = "The name upload printed, e.g. Y:/3rdfile/1/thirdvoicebotfile/x.wav" };
        var location = new Option<string>("--location") { Description = "Delete only this location's copy (CTI pool mode)" };
        var command = new Command("delete", "Delete an uploaded file (deleteFile)") { fileName, location };
        command.SetAction((parse, cancellation) => CcfsCli.GuardAsync(console, async () =>
        {
            var response = await connection.Resolve(parse, console).CreateClient()
                .DeleteAsync(parse.GetValue(fileName)!, parse.GetValue(location), cancellation);
            if (response.ResultCode == ResultCodes.FileNotFound && response.LostAnswers > 0)
            {
                // The file is gone, which is what was asked for; the attempt whose answer was lost most likely removed it.
                await console.Out.WriteLineAsync("deleted");
                await console.Error.WriteLineAsync($"ccfs: the answer to an earlier attempt was lost and the retry found no such file "
                    + $"({response.ResultCode} {response.ResultDesc}): an earlier attempt most likely deleted it");
                return ExitCodes.Success;
            }

            if (!response.IsSuccess)
            {
                return await CcfsCli.RefusedAsync(console, response);
            }

            await console.Out.WriteLineAsync("deleted");
            return ExitCodes.Success;
        }));
        return command;
    }
}
