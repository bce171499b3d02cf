using Enrollment.Enrollee.State;
using Enrollment.Simulator;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// One deployment of the real parts in a temp directory: a Mosquitto over TLS (or none: the service's
/// embedded broker), the service as a child process on SQLite, its operator API and database, and
/// simulated devices. Everything it started is killed on dispose.
/// </summary>
internal sealed class World : IAsyncDisposable
{
    private World(string root, Mosquitto? mosquitto, ServiceProcess service)
    {
        Root = root;
        Mosquitto = mosquitto;
        Service = service;
        Storage = new ServiceStorage(service.DatabasePath);
        Operator = new OperatorClient(service);
        Devices = new DeviceRig(Path.Combine(root, "devices"));
    }

    public string Root { get; }

    public Mosquitto? Mosquitto { get; }

    public ServiceProcess Service { get; }

    public ServiceStorage Storage { get; }

    public OperatorClient Operator { get; }

    public DeviceRig Devices { get; }

    public string BrokerName => Mosquitto == null ? "the embedded broker" : "Mosquitto (TLS)";

    public static async Task<World> OnMosquittoAsync(IReadOnlyDictionary<string, string>? serviceSettings = null)
    {
        string root = System.IO.Directory.CreateTempSubdirectory("enroll-e2e-").FullName;
        var mosquitto = await Mosquitto.StartAsync(Path.Combine(root, "mosquitto"));
        try
        {
            var service = await ServiceProcess.StartOnMosquittoAsync(Path.Combine(root, "data"), mosquitto, serviceSettings);
            return new World(root, mosquitto, service);
        }
        catch
        {
            mosquitto.Dispose();
            throw;
        }
    }

    public static async Task<World> EmbeddedAsync(IReadOnlyDictionary<string, string>? serviceSettings = null)
    {
        string root = System.IO.Directory.CreateTempSubdirectory("enroll-e2e-").FullName;
        var service = await ServiceProcess.StartEmbeddedAsync(Path.Combine(root, "data"), serviceSettings);
        return new World(root, null, service);
    }

    /// <summary>What every part said: the text a failure message carries.</summary>
    public string Context() =>
        "--- service output:\n" + Tail(Service.Output) + (Mosquitto == null ? "" : "\n--- mosquitto output:\n" + Tail(Mosquitto.Output))
        + "\n--- devices:\n" + Tail(Devices.Log.Text);

    /// <summary><c>enroll provision --json --wait</c> for one device, as a child process.</summary>
    public Task<ProvisionRun> ProvisionAsync(SimulatedDevice device, string petName, int timeoutSeconds = 90) =>
        EnrollCli.ProvisionAsync(Service, Path.Combine(Root, "tool-home"), device.PortPath, petName, timeoutSeconds, Context);

    /// <summary>
    /// The device and the service agree it enrolled, exactly once: the device's flash says enrolled; the
    /// operator API shows one enrolled record with IK_B and the audit trail pending then enrolled; the database
    /// holds one consumed OPK (private key deleted), one EK_B record and one "enrollee.enrolled" audit row for
    /// it, and exactly one more OPK used service-wide than before.
    /// </summary>
    public async Task<DeviceView> AssertEnrolledOnceAsync(SimulatedDevice device, ProvisionRun run, string petName, long opksUsedBefore)
    {
        Assert.True(run.ExitCode == 0, "enroll provision exited " + run.ExitCode + ":\n" + run.Output + "\n" + Context());
        Assert.Equal("ok", run.Field("outcome"));
        Assert.Equal("enrolled", run.Field("state"));
        string enrolleeId = run.Field("enrolleeId");
        string record = run.Field("serviceEnrolleeId");
        Assert.Equal(record, run.Field("deviceId")); // the device id the service assigned (docs/protocol.md section 12)
        DeviceRigWait.Until(() => device.State == EnrolleeState.Enrolled, TimeSpan.FromSeconds(10), "the device's flash to say enrolled", Context);

        var found = await Operator.FindByEnrolleeIdAsync(enrolleeId[..20]);
        Assert.True(found != null, "the operator API does not list device " + enrolleeId + "\n" + Context());
        var (view, identityKey, audit) = await Operator.DetailAsync(found.Id);
        Assert.Equal(record, view.Id);
        Assert.Equal("enrolled", view.State);
        Assert.Equal(petName, view.PetName);
        Assert.Equal("e2e-line", view.Enroller);
        Assert.NotNull(identityKey);
        Assert.Equal(["enrollee.pending", "enrollee.enrolled"], audit);

        var counts = Storage.Counts(record);
        Assert.Equal(new EnrollmentCounts(1, 1, 1, 1, opksUsedBefore + 1), counts);
        return view;
    }

    public long OpksUsed() => Storage.Counts("").OpksUsedInAll;

    /// <summary>
    /// No error or critical line in the service's log (the console logger's "fail:" and "crit:" prefixes):
    /// a path that works, or a rejection, must not look like a failure to an operator.
    /// </summary>
    public void AssertNoErrorsLogged()
    {
        var bad = Service.Output.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Assert.True(bad.Count == 0, "the service logged errors:\n" + string.Join('\n', bad) + "\n" + Context());
    }

    public async ValueTask DisposeAsync()
    {
        Devices.Dispose();
        Operator.Dispose();
        Service.Dispose();
        Mosquitto?.Dispose();
        await Task.Yield();
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A device thread may still be closing a file; the OS cleans its temp directory.
        }
    }

    private static string Tail(string text) => text.Length <= 12_000 ? text : "...\n" + text[^12_000..];
}

/// <summary>Bounded waits for a condition another thread makes true (a simulated device's state).</summary>
internal static class DeviceRigWait
{
    public static void Until(Func<bool> condition, TimeSpan within, string what, Func<string> context)
    {
        using var tick = new ManualResetEventSlim();
        var until = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException("timed out after " + within.TotalSeconds + " s waiting for " + what + "\n" + context());
            }

            tick.Wait(20);
        }
    }

    /// <summary>The same, without holding a thread (the tool's child process and the broker client run meanwhile).</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what, Func<string> context)
    {
        var until = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException("timed out after " + within.TotalSeconds + " s waiting for " + what + "\n" + context());
            }

            await Task.Delay(20);
        }
    }
}
