using System.Globalization;
using MQTTnet.Formatter;

namespace Enrollment.Simulator;

/// <summary>
/// <c>dotnet run --project tools/Enrollment.Simulator -- [--count N] [--state-dir DIR] [--baud RATE]
/// [--mqtt-version 3.1.1|5] [--pet-name NAME]</c>: runs N simulated enrollees, each on its own
/// pseudo-terminal with its own state directory (DIR/NAME-i). One line per device on standard output,
/// <c>NAME-i /dev/pts/N</c>, names the port to give the enroller; the devices' logs go to standard error.
/// Ctrl+C stops them; their state stays on disk, so the next run resumes where they were.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: Enrollment.Simulator [--count N] [--state-dir DIR] [--baud RATE] [--mqtt-version 3.1.1|5] [--pet-name NAME]";

    public static int Main(string[] args)
    {
        int count = 1;
        string stateDir = Path.Combine(Environment.CurrentDirectory, "sim-state");
        string name = "sim";
        int baud = 115200;
        var version = MqttProtocolVersion.V500;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException(args[i] + " needs a value");
                switch (args[i])
                {
                    case "--count": count = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--state-dir": stateDir = Path.GetFullPath(value); break;
                    case "--pet-name": name = value; break;
                    case "--baud": baud = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--mqtt-version":
                        version = value switch
                        {
                            "3.1.1" => MqttProtocolVersion.V311,
                            "5" => MqttProtocolVersion.V500,
                            _ => throw new ArgumentException("--mqtt-version is 3.1.1 or 5"),
                        };
                        break;
                    default: throw new ArgumentException("unknown option " + args[i]);
                }

                i++;
            }

            if (count < 1 || count > 256)
            {
                throw new ArgumentException("--count is 1..256");
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
