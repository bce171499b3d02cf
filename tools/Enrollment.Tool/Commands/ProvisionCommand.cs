using System.CommandLine;
using System.Text;
using System.Text.Json;
using Enrollment.Enrollee.Messages;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Config;
using Enrollment.Tool.Provisioning;
using Enrollment.Tool.Service;

namespace Enrollment.Tool.Commands;

/// <summary><c>enroll provision</c>: one device, or several in parallel (batch mode, one status line each).</summary>
internal static class ProvisionCommand
{
    public static Command Create()
    {
        var ports = new Option<string[]>("--port", "-p")
        {
            Description = "Serial port(s); repeat, or give a glob such as /dev/ttyUSB* for a batch provisioned in parallel",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var baud = new Option<int>("--baud") { Description = "Line speed", DefaultValueFactory = _ => 115200 };
        var petName = new Option<string?>("--pet-name") { Description = "A name for people (UTF-8, at most " + (Limits.MaxPetName - 3) + " bytes); -1, -2... appended in a batch" };
        var ssid = new Option<string?>("--wifi-ssid") { Description = "The Wi-Fi network the device joins" };
        var passwordFile = new Option<FileInfo?>("--wifi-password-file") { Description = "File holding the Wi-Fi passphrase (one line); absent for an open network" };
        var wait = new Option<bool>("--wait") { Description = "Follow the device until it reports enrolled or a final failure" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to --wait", DefaultValueFactory = _ => 180 };
        var json = new Option<bool>("--json") { Description = "One JSON object per device on standard output instead of the live display" };
        var service = new ServiceOptions();
        var command = new Command("provision", "Say hello to a device, register it with the service and send it a bundle and Wi-Fi settings.\n\n"
            + ExitCodes.HelpText())
        {
            ports, baud, petName, ssid, passwordFile, wait, timeout, json,
        };
        service.AddTo(command);
        command.SetAction((parse, ct) => Run.GuardedAsync(async () =>
        {
            var config = ToolConfig.Load();
            var settings = service.Resolve(parse, config);
            var portList = ExpandPorts(parse.GetValue(ports) ?? []);
            var ssidBytes = SsidBytes(parse.GetValue(ssid));
            var password = ReadPassword(parse.GetValue(passwordFile));
            var name = parse.GetValue(petName);
            if (name != null && (!Protocol.Messages.PetName.IsValid(name) || Encoding.UTF8.GetByteCount(name) > Limits.MaxPetName - 3))
            {
                throw new ToolFailure(ExitCode.Usage, "--pet-name must be 1 to " + (Limits.MaxPetName - 3) + " bytes of UTF-8 without control characters.");
            }

            int rate = parse.GetValue(baud);
            if (rate <= 0)
            {
                throw new ToolFailure(ExitCode.Usage, "--baud must be positive.");
            }

            try
            {
                var requests = portList.Select((p, i) => new ProvisionRequest(p, rate,
                    name == null ? null : portList.Count == 1 ? name : name + "-" + (i + 1), ssidBytes, password,
                    parse.GetValue(wait), TimeSpan.FromSeconds(parse.GetValue(timeout)))).ToList();
                return await ProvisionAsync(config, settings, requests, parse.GetValue(json), ct).ConfigureAwait(false);
            }
            finally
            {
                Array.Clear(password);
            }
        }, Console.Error));
        return command;
    }

    internal static async Task<ExitCode> ProvisionAsync(ToolConfig config, ServiceSettings settings, IReadOnlyList<ProvisionRequest> requests, bool json,
        CancellationToken ct)
    {
        using var client = new ServiceClient(settings);
        var cache = new BundleCache(config.Directory);
        var queue = new WorkQueue(config.Directory);
        try
        {
            await Run.FlushQueueAsync(queue, client, Console.Error, ct).ConfigureAwait(false);
        }
        catch (ServiceException e) when (e.Kind == ServiceFailureKind.Unauthorized)
        {
            throw e.ToFailure("sending queued work");
        }

        var provisioner = new Provisioner(client, cache, queue, requests.Count);
        IReadOnlyList<ProvisionReport> reports;
        try
        {
            reports = json
                ? await RunJsonAsync(provisioner, requests, ct).ConfigureAwait(false)
                : await LiveView.RunAsync(provisioner, requests, ct).ConfigureAwait(false);
        }
        finally
        {
            provisioner.ReturnUnused();
        }

        var still = queue.List().Count(w => w.Service == settings.Key);
        if (still > 0)
        {
            await Console.Error.WriteLineAsync("queue: " + still + " item(s) queued for " + settings + "; run `enroll queue flush` when the service is back.")
                .ConfigureAwait(false);
        }

        return ExitCodes.Combine(reports.Select(r => (ExitCode)r.ExitCode));
    }

    private static async Task<IReadOnlyList<ProvisionReport>> RunJsonAsync(Provisioner provisioner, IReadOnlyList<ProvisionRequest> requests, CancellationToken ct)
    {
        var gate = new Lock();
        var tasks = requests.Select(r => Task.Factory.StartNew(() =>
        {
            var report = provisioner.Run(r, (_, _) => { }, ct);
            lock (gate)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, ToolJson.Default.ProvisionReport));
                Console.Out.Flush();
            }

            return report;
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Expands globs (/dev/ttyUSB*) in port arguments; keeps plain names as they are.</summary>
    internal static List<string> ExpandPorts(IEnumerable<string> ports)
    {
        var result = new List<string>();
        foreach (var p in ports)
        {
            if (p.IndexOfAny(['*', '?']) < 0)
            {
                result.Add(p);
                continue;
            }

            string dir = Path.GetDirectoryName(p) is { Length: > 0 } d ? d : ".";
            var matches = Directory.Exists(dir) ? Directory.GetFiles(dir, Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList() : [];
            if (matches.Count == 0)
            {
                throw new ToolFailure(ExitCode.PortUnavailable, "No serial port matches " + p + ".");
            }

            result.AddRange(matches);
        }

        var duplicates = result.GroupBy(p => p, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ToolFailure(ExitCode.Usage, "A port is named twice: " + string.Join(", ", duplicates));
        }

        return result;
    }

    private static byte[] SsidBytes(string? ssid)
    {
        if (string.IsNullOrEmpty(ssid))
        {
            throw new ToolFailure(ExitCode.Usage, "--wifi-ssid is required: the device joins that network to reach the service.");
        }

        var bytes = Encoding.UTF8.GetBytes(ssid);
        if (bytes.Length > Limits.MaxSsid)
        {
            throw new ToolFailure(ExitCode.Usage, "--wifi-ssid is longer than 32 bytes (IEEE 802.11).");
        }

        return bytes;
    }

    /// <summary>The passphrase as bytes (never a string), without the file's final line break; WPA2: 8-63 characters or 64 hex digits.</summary>
    private static byte[] ReadPassword(FileInfo? file)
    {
        if (file == null)
        {
            return [];
        }

        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(file.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolFailure(ExitCode.Usage, "Cannot read --wifi-password-file " + file.FullName + ": " + e.Message, e);
        }

        int n = raw.Length;
        while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
        {
            n--;
        }

        var password = raw[..n];
        Array.Clear(raw);
        if (password.Length != 0 && (password.Length < 8 || password.Length > Limits.MaxWifiPassword))
        {
            Array.Clear(password);
            throw new ToolFailure(ExitCode.Usage, "The Wi-Fi passphrase must be 8 to 63 characters (or 64 hex digits).");
        }

        return password;
    }
}
