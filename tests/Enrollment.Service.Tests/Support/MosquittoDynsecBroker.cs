namespace Enrollment.Service.Tests.Support;

/// <summary>
/// A real Mosquitto 2.0 with the dynamic security plugin (Debian's mosquitto_dynamic_security.so) on a free
/// loopback port, plain TCP. The plugin's file is made with `mosquitto_ctrl dynsec init`, which creates one
/// dynsec admin; everything else (the service's role, the anonymous group for unenrolled devices, one
/// client per enrolled device) is made by the service itself over $CONTROL/dynamic-security/v1.
/// Fails (never skips) when the binaries are missing.
/// </summary>
public sealed class MosquittoDynsecBroker : IAsyncLifetime
{
    public const string Plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    public const string Ctrl = "/usr/bin/mosquitto_ctrl";
    public const string AdminUser = "enrollment-admin";
    private MosquittoProcess? _mosquitto;

    public int Port { get; private set; }

    public string AdminPassword { get; } = Guid.NewGuid().ToString("N");

    public string Log => _mosquitto?.Log ?? "";

    public async Task InitializeAsync()
    {
        foreach (var f in new[] { Plugin, Ctrl })
        {
            if (!File.Exists(f))
            {
                throw new InvalidOperationException(f + " is missing: install Mosquitto 2.0 with its dynamic security plugin (apt-get install mosquitto mosquitto-clients).");
            }
        }

        _mosquitto = new MosquittoProcess("enroll-dynsec-");
        var dynsec = Path.Combine(_mosquitto.Directory, "dynsec.json");
        await ExternalProcess.RunAsync(Ctrl, ["dynsec", "init", dynsec, AdminUser, AdminPassword], TimeSpan.FromSeconds(20));
        Port = Ports.Free();
        await _mosquitto.StartAsync(
        [
            "allow_anonymous true", // anonymous clients get the dynsec anonymous group's roles only
            "plugin " + Plugin,
            "plugin_opt_config_file " + dynsec,
            "listener " + Port + " 127.0.0.1",
        ]);
    }

    public Task DisposeAsync()
    {
        _mosquitto?.Dispose();
        return Task.CompletedTask;
    }
}
