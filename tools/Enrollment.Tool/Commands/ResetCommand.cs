using System.CommandLine;
using Enrollment.Tool.Serial;

namespace Enrollment.Tool.Commands;

/// <summary>
/// <c>enroll reset --port P --yes</c>: factory-resets the device on a port (its keys, bundle, Wi-Fi settings
/// and session are erased; it makes a new identity), so that an enrolled or revoked device can be provisioned
/// again. The service side is untouched: revoke the old device there (operator API) if it is retired.
/// </summary>
internal static class ResetCommand
{
    public static Command Create()
    {
        var port = new Option<string>("--port", "-p") { Description = "Serial port of the device", Required = true };
        var baud = new Option<int>("--baud") { Description = "Line speed", DefaultValueFactory = _ => 115200 };
        var yes = new Option<bool>("--yes") { Description = "Confirm: the device's keys and settings are erased" };
        var command = new Command("reset", "Factory-reset the device on a port (erases its keys and settings; it makes a new identity).") { port, baud, yes };
        command.SetAction((parse, ct) => Run.GuardedAsync(() => Task.Run(() =>
        {
            if (!parse.GetValue(yes))
            {
                throw new ToolFailure(ExitCode.Usage, "This erases the device's keys and settings: add --yes to confirm.");
            }

            using var session = new DeviceSession(PortLink.Open(parse.GetValue(port)!, parse.GetValue(baud)));
            var device = session.Hello(TimeSpan.FromSeconds(5), ct);
            session.FactoryReset(device, TimeSpan.FromSeconds(10), ct);
            Console.Out.WriteLine("device " + device.EnrolleeId + " (" + device.StateName + ") was factory-reset; it makes a new identity now");
            return ExitCode.Ok;
        }, ct), Console.Error));
        return command;
    }
}
