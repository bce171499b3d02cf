using System.Globalization;
using MQTTnet.Formatter;

namespace Enrollment.Simulator;

/// <summary>
/// <c>dotnet run --project tools/Enrollment.Simulator -- [--count N] [--state-dir DIR] [--baud RATE]
/// [--mqtt-version 3.1.1|5] [--pet-name NAME] [--telemetry-interval SECONDS]</c>: runs N simulated enrollees,
/// each on its own pseudo-terminal with its own state directory (DIR/NAME-i). One line per device on standard
/// output, <c>NAME-i /dev/pts/N</c>, names the port to give the enroller; the devices' logs go to standard
/// error. Once enrolled, each device sends a telemetry reading every interval (default 10 s; 0 = only on
/// request) over the secure channel and prints the commands it receives. Lines on standard input act on
/// every device (or on one: <c>reboot NAME-2</c>): <c>telemetry</c> sends a reading now, <c>reboot</c>
/// power-cycles (the boot rekey follows), <c>rotate</c> rotates the identity key, <c>rekey</c> rekeys.
/// Ctrl+C (or the end of standard input, when it is a terminal) stops them; their state stays on disk, so the
/// next run resumes where they were.
/// </summary>
internal static class Program
{
    /// <summary>One action per line of standard input, on every device or on the one named.</summary>
    internal static void ReadCommands(TextReader input, IReadOnlyList<SimulatedDevice> devices)
    {
        string? line;
        while ((line = input.ReadLine()) != null)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                continue;
            }

            Action<SimulatedDevice>? act = words[0] switch
            {
                "telemetry" or "t" => d => d.SendTelemetryNow(),
                "reboot" => d => d.Reboot(),
                "rotate" => d => d.RotateIdentity(),
                "rekey" => d => d.RequestRekey(),
                _ => null,
            };
            if (act == null)
            {
                Console.Error.WriteLine("unknown command " + words[0] + " (telemetry | reboot | rotate | rekey [NAME])");
                continue;
            }

            foreach (var device in devices)
            {
                if (words.Length < 2 || device.Name == words[1])
                {
                    act(device);
                }
            }
        }
    }

    private const string Usage =
        "usage: Enrollment.Simulator [--count N] [--state-dir DIR] [--baud RATE] [--mqtt-version 3.1.1|5] [--pet-name NAME]"
        + " [--telemetry-interval SECONDS]\n  stdin: telemetry | reboot | rotate | rekey [NAME]";

    private static int ParseNumber(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException(option + " takes a whole number, not '" + value + "'");

    public static int Main(string[] args)
    {
        int count = 1;
        string stateDir = Path.Combine(Environment.CurrentDirectory, "sim-state");
        string name = "sim";
        int baud = 115200;
        var version = MqttProtocolVersion.V500;
        int telemetrySeconds = 10;
        try
        {
            if (Array.Exists(args, a => a is "--help" or "-h" or "-?"))
            {
                Console.WriteLine(Usage);
                return 0;
            }

            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] is not ("--count" or "--state-dir" or "--pet-name" or "--baud" or "--telemetry-interval" or "--mqtt-version"))
                {
                    throw new ArgumentException("unknown option " + args[i]);
                }

                string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException(args[i] + " needs a value");
                string option = args[i];
                switch (option)
                {
                    case "--count": count = ParseNumber(option, value); break;
                    case "--state-dir": stateDir = Path.GetFullPath(value); break;
                    case "--pet-name": name = value; break;
                    case "--baud": baud = ParseNumber(option, value); break;
                    case "--telemetry-interval": telemetrySeconds = ParseNumber(option, value); break;
                    case "--mqtt-version":
                        version = value switch
                        {
                            "3.1.1" => MqttProtocolVersion.V311,
                            "5" => MqttProtocolVersion.V500,
                            _ => throw new ArgumentException("--mqtt-version is 3.1.1 or 5"),
                        };
                        break;
                    default: throw new ArgumentException("unknown option " + option);
                }

                i++;
            }

            if (count < 1 || count > 256)
            {
                throw new ArgumentException("--count is 1..256");
            }

            if (telemetrySeconds < 0 || telemetrySeconds > 86_400)
            {
                throw new ArgumentException("--telemetry-interval is 0..86400 seconds");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var devices = new List<SimulatedDevice>();
        using var stop = new ManualResetEventSlim();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Set();
        };
        try
        {
            for (int i = 1; i <= count; i++)
            {
                var options = new SimulatorOptions
                {
                    Name = name + "-" + i.ToString(CultureInfo.InvariantCulture),
                    StateDirectory = Path.Combine(stateDir, name + "-" + i.ToString(CultureInfo.InvariantCulture)),
                    BaudRate = baud,
                    MqttVersion = version,
                    TelemetryIntervalMilliseconds = telemetrySeconds * 1000,
                };
                var device = new SimulatedDevice(options, DeviceProtocol.Create(), Console.Error);
                devices.Add(device);
                Console.Out.WriteLine(options.Name + " " + device.PortPath);
            }

            Console.Out.Flush();
            foreach (var device in devices)
            {
                device.Start();
            }

            var input = new Thread(() => ReadCommands(Console.In, devices)) { IsBackground = true, Name = "stdin" };
            input.Start();
            stop.Wait();
            return 0;
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }
}
