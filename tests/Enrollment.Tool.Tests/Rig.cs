using Enrollment.Enrollee.Enrolling;
using Enrollment.Simulator;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Config;
using Enrollment.Tool.Provisioning;
using Enrollment.Tool.Service;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>
/// One test's world: a temp directory for the tool's files and the devices' flash, simulated devices on
/// real pseudo-terminals, and the tool's provisioner against a service URL.
/// </summary>
internal sealed class Rig : IDisposable
{
    private readonly List<SimulatedDevice> _devices = [];
    private readonly ITestOutputHelper? _output;

    public Rig(ITestOutputHelper? output = null)
    {
        _output = output;
        Root = Directory.CreateTempSubdirectory("enroll-tool-test-").FullName;
        ToolHome = Path.Combine(Root, "tool");
        Directory.CreateDirectory(ToolHome);
    }

    public string Root { get; }

    public string ToolHome { get; }

    public BundleCache Cache => new(ToolHome);

    public WorkQueue Queue => new(ToolHome);

    public TestLogWriter Log { get; } = new();

    public SimulatedDevice AddDevice(IEnrolleeProtocol? protocol = null, int baud = 115200, EnrolleeOptions? core = null)
    {
        int n = _devices.Count + 1;
        var device = new SimulatedDevice(new SimulatorOptions
        {
            Name = "sim-" + n,
            StateDirectory = Path.Combine(Root, "sim-" + n),
            BaudRate = baud,
            Core = core ?? new EnrolleeOptions(),
        }, protocol ?? new FakeProtocol(), Log);
        _devices.Add(device);
        device.Start();
        return device;
    }

    public ServiceClient Client(string url, string token = FakeService.Token) =>
        new(new ServiceSettings(ToolConfig.ParseServiceUri(url), token, null));

    public ProvisionReport Provision(ServiceClient client, string port, int baud = 115200, bool wait = false, Action<Stage, string>? onStage = null,
        TimeSpan? waitTimeout = null, string? petName = null)
    {
        var provisioner = new Provisioner(client, Cache, Queue);
        var request = new ProvisionRequest(port, baud, petName, "factory-net"u8.ToArray(), "correct horse"u8.ToArray(), wait,
            waitTimeout ?? TimeSpan.FromSeconds(60));
        var report = provisioner.Run(request, (stage, text) =>
        {
            _output?.WriteLine(port + " " + stage + ": " + text);
            onStage?.Invoke(stage, text);
        }, CancellationToken.None);
        _output?.WriteLine(port + " => exit " + report.ExitCode + " " + report.Message);
        return report;
    }

    /// <summary>Waits for a condition that another thread makes true (a device's state), failing after a bound.</summary>
    public static void Eventually(Func<bool> condition, TimeSpan within, string what)
    {
        using var tick = new ManualResetEventSlim();
        var until = DateTime.UtcNow + within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting for " + what);
            tick.Wait(20);
        }
    }

    public void Dispose()
    {
        foreach (var d in _devices)
        {
            d.Dispose();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A device thread may still be closing a file; the temp directory is cleaned by the OS.
        }
    }
}

/// <summary>Collects the simulators' log lines (thread-safe) so tests can assert on them.</summary>
internal sealed class TestLogWriter : StringWriter
{
    private readonly Lock _gate = new();

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            base.WriteLine(value);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return ToString();
            }
        }
    }
}
