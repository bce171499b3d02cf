using System.CommandLine;
using System.IO.Ports;

namespace Enrollment.Tool.Commands;

/// <summary><c>enroll ports</c>: serial ports with the USB description Linux gives in sysfs.</summary>
internal static class PortsCommand
{
    public static Command Create()
    {
        var command = new Command("ports", "List serial ports, with their USB adapter's description where the OS gives one.");
        command.SetAction(_ =>
        {
            var names = SerialPort.GetPortNames().Order(StringComparer.Ordinal).ToList();
            foreach (var name in names)
            {
                Console.Out.WriteLine(name + (Describe(name) is { } d ? "  " + d : ""));
            }

            if (names.Count == 0)
            {
                Console.Out.WriteLine("no serial ports found");
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// From /sys/class/tty/NAME/device: a USB-serial port (ttyUSB) has its interface one level up and the
    /// USB device two; a CDC-ACM port (ttyACM) is the interface itself. The device directory holds
    /// idVendor, idProduct, manufacturer, product and serial.
    /// </summary>
    internal static string? Describe(string port, string sysClassTty = "/sys/class/tty")
    {
        string device = Path.Combine(sysClassTty, Path.GetFileName(port), "device");
        if (!Directory.Exists(device))
        {
            return null;
        }

        string? dir = Path.GetFullPath(new DirectoryInfo(device).ResolveLinkTarget(true)?.FullName ?? device);
        for (int up = 0; up < 4 && dir != null; up++, dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "idVendor")))
            {
                string Read(string f) => File.Exists(Path.Combine(dir, f)) ? File.ReadAllText(Path.Combine(dir, f)).Trim() : "";
                var parts = new[] { Read("manufacturer"), Read("product") }.Where(s => s.Length > 0);
                string serial = Read("serial");
                return string.Join(" ", parts) + " [" + Read("idVendor") + ":" + Read("idProduct") + "]" + (serial.Length > 0 ? " serial " + serial : "");
            }
        }

        string driver = Path.Combine(device, "driver");
        return Directory.Exists(driver) ? "driver " + Path.GetFileName(new DirectoryInfo(driver).ResolveLinkTarget(true)?.FullName ?? driver) : null;
    }
}
