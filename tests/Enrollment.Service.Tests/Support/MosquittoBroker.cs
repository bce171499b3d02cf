namespace Enrollment.Service.Tests.Support;

/// <summary>
/// A real Mosquitto with a TLS listener on a free loopback port, using a CA and server certificate made
/// here. Started once for the test collection; each test service uses its own topics and client id.
/// Fails (never skips) when the binary is missing: scripts/test.sh installs it.
/// </summary>
public sealed class MosquittoBroker : IAsyncLifetime
{
    public const string Binary = MosquittoProcess.Binary;
    private MosquittoProcess? _mosquitto;

    public int Port { get; private set; }

    internal TestPki Pki { get; private set; } = null!;

    public string Log => _mosquitto?.Log ?? "";

    public async Task InitializeAsync()
    {
        _mosquitto = new MosquittoProcess("enroll-mosquitto-");
        Pki = new TestPki(_mosquitto.Directory);
        Port = Ports.Free();
        await _mosquitto.StartAsync(
        [
            "allow_anonymous true",
            "max_inflight_messages 0",
            "max_queued_messages 100000",
            "listener " + Port + " 127.0.0.1",
            "cafile " + Pki.CaFile,
            "certfile " + Pki.ServerCertFile,
            "keyfile " + Pki.ServerKeyFile,
        ]);
    }

    public Task DisposeAsync()
    {
        _mosquitto?.Dispose();
        return Task.CompletedTask;
    }
}
