using System.CommandLine;
using System.Globalization;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Simulator;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Config;
using Enrollment.Tool.Provisioning;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Demo;

/// <summary>
/// <c>enroll demo</c> (issue 7): the three parties on one machine with the same code paths as with real
/// hardware. The service runs as a child process on embedded defaults in a temporary directory; a simulated
/// ESP32 (the enrollee core with host adapters) sits behind a real pseudo-terminal; the enroller provisions
/// it over that serial port and the HTTP API; the device enrolls over MQTT, then sends a telemetry reading up
/// the secure channel and acknowledges a command sent down. Every step is printed, from the three parties,
/// and the demo exits 0 once a message has gone each way.
/// </summary>
internal static class DemoCommand
{
    private static readonly Lock Gate = new();

    public static Command Create()
    {
        var dll = new Option<string?>("--service-dll") { Description = "The service's built Enrollment.Service.dll (default: found in the repository, built if needed)" };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary directory (service database, device flash, tool cache)" };
        var command = new Command("demo", "Run the service, a simulated ESP32 on a pseudo-terminal and the enroller; print each protocol step.") { dll, keep };
        command.SetAction((parse, ct) => Run(parse.GetValue(dll), parse.GetValue(keep), ct));
        return command;
    }

    private static async Task<int> Run(string? dll, bool keep, CancellationToken ct)
    {
        string root = Directory.CreateTempSubdirectory("enroll-demo-").FullName;
        try
        {
            return (int)await RunCore(dll, root, ct).ConfigureAwait(false);
        }
        catch (ToolFailure f)
        {
            Say("demo", "failed: " + f.Message);
            return (int)f.Code;
        }
        finally
        {
            if (keep)
            {
                Say("demo", "kept " + root);
            }
            else
            {
                TryDelete(root);
            }
        }
    }

    private static async Task<ExitCode> RunCore(string? dll, string root, CancellationToken ct)
    {
        string serviceDll = await ServiceHost.LocateAsync(dll, s => Say("demo", s), ct).ConfigureAwait(false);
        Say("service", "starting " + serviceDll + " on embedded defaults: SQLite and keys in " + Path.Combine(root, "service"));
        using var service = await ServiceHost.StartAsync(serviceDll, Path.Combine(root, "service"), ServiceLine, ct).ConfigureAwait(false);
        Say("service", "ready: enroller API " + service.Url + ", embedded MQTT broker 127.0.0.1:" + service.BrokerPort
            + "; an enroller token was issued by `enrollers add --name demo-enroller` (never shown)");

        using var device = new SimulatedDevice(new SimulatorOptions
        {
            Name = "esp32",
            StateDirectory = Path.Combine(root, "device"),
            // The simulator computes in milliseconds; the ESP32's 13 s back-off would only slow the demo.
            Core = new EnrolleeOptions { BackoffBaseMilliseconds = 1000, NetworkRetryMilliseconds = 500, ResultTimeoutMilliseconds = 10_000 },
            // One reading, sent when the demo asks (below), rather than one every 10 s.
            TelemetryIntervalMilliseconds = 0,
        }, DeviceProtocol.Create(), new LineWriter(line => Say("device", line)));
        Say("device", "simulated ESP32 on " + device.PortPath + " (a pseudo-terminal, opened by the enroller like a USB-UART adapter)");
        device.Start();

        var settings = new ServiceSettings(ToolConfig.ParseServiceUri(service.Url), service.Token, null);
        using var client = new ServiceClient(settings);
        string toolHome = Path.Combine(root, "tool");
        Directory.CreateDirectory(toolHome);
        var provisioner = new Provisioner(client, new BundleCache(toolHome), new WorkQueue(toolHome));
        var request = new ProvisionRequest(device.PortPath, 115200, "demo-sensor", "demo-wifi"u8.ToArray(), "demo passphrase"u8.ToArray(),
            Wait: true, WaitTimeout: TimeSpan.FromSeconds(60));
        var report = await Task.Factory.StartNew(() => provisioner.Run(request, (stage, text) => Say("enroller", Explain(stage, text)), ct),
            ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        if (report.ExitCode != 0)
        {
            Say("demo", "the device did not enroll (exit " + report.ExitCode + ")");
            return (ExitCode)report.ExitCode;
        }

        await SecureMessagesAsync(service, device, report.DeviceId!, ct).ConfigureAwait(false);
        Say("demo", "done: the device is enrolled as " + report.DeviceId + "; the enroller spent " + report.ToolMilliseconds
            + " ms (port to bundle stored), the whole enrollment took " + report.TotalMilliseconds + " ms; a secure message went each way");
        return ExitCode.Ok;
    }

    /// <summary>
    /// After enrollment, one message each way over the secure channel (docs/session-protocol.md) with the keys
    /// both sides derived from the enrollment's SK: a telemetry reading up (the service decrypts and stores it),
    /// a command down (the device carries it out and acknowledges it). The operator's view is the service's API.
    /// </summary>
    private static async Task SecureMessagesAsync(ServiceHost service, SimulatedDevice device, string deviceId, CancellationToken ct)
    {
        using var op = new DemoOperator(service.Url, service.OperatorToken);
        Say("demo", "secure channel, up: the device sends a reading (frame 0x10 on dev/v1/" + deviceId + "/up, ChaCha20-Poly1305 under K_up)");
        device.SendTelemetryNow();
        var (epoch, counter, text) = await op.WaitForTelemetryAsync(deviceId, ct).ConfigureAwait(false);
        Say("operator", "telemetry the service decrypted: " + text + " (epoch " + epoch.ToString(CultureInfo.InvariantCulture) + ", counter "
            + counter.ToString(CultureInfo.InvariantCulture) + "; GET /v1/admin/devices/{id}/telemetry)");

        Say("demo", "secure channel, down: the operator sends the command \"blink-led 3\" (POST /v1/admin/devices/{id}/commands; frame 0x11 under K_down)");
        uint commandId = await op.SendCommandAsync(deviceId, "blink-led 3", ct).ConfigureAwait(false);
        var (status, detail) = await op.WaitForAcknowledgementAsync(deviceId, commandId, ct).ConfigureAwait(false);
        Say("operator", "command " + commandId.ToString(CultureInfo.InvariantCulture) + " acknowledged by the device: " + status
            + (detail.Length > 0 ? " (" + detail + ")" : "") + " (frame 0x12 under K_up)");
    }

    private static string Explain(Stage stage, string text) => stage switch
    {
        Stage.Hello when text.StartsWith("device ", StringComparison.Ordinal) => "identity: " + text + " (the id is SHA-256 of EIK_B, the device's enrollment identity key)",
        Stage.Bundle => text + " (bundles are fetched ahead with POST /v1/bundles: each reserves one one-time prekey)",
        Stage.Registering => "approval: " + text + " (POST /v1/enrollees: EIK_B, pet name, bundle id; pending with an expiry)",
        Stage.Transferring => text + " (Bundle message over the serial link: CRC-32 frames, stop-and-wait)",
        _ => text,
    };

    /// <summary>Service log lines worth seeing in a demo: its keys, broker and every enrollment decision.</summary>
    private static void ServiceLine(string line)
    {
        if (line.Contains("Enrollment.Service", StringComparison.Ordinal) && !line.Contains("dbug", StringComparison.Ordinal))
        {
            int at = line.IndexOf(']', StringComparison.Ordinal);
            Say("service", at > 0 && at + 2 < line.Length ? line[(at + 2)..] : line);
        }
    }

    private static void Say(string who, string text)
    {
        lock (Gate)
        {
            Console.Out.WriteLine(who.PadRight(8) + " | " + text);
            Console.Out.Flush();
        }
    }

    private static void TryDelete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A child may still hold a file for a moment; the temp directory is the OS's to clean.
        }
    }

    /// <summary>Turns the simulator's log writer into one callback per line.</summary>
    private sealed class LineWriter(Action<string> onLine) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value != null)
            {
                onLine(value);
            }
        }
    }
}
