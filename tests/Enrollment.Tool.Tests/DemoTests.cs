using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

public sealed class DemoTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_demo_enrolls_a_simulated_device_with_the_real_service_and_exits_zero()
    {
        var (code, text) = await ToolProcess.RunAsync("enroll.dll", ["demo", "--service-dll", ServiceProcess.DllPath()], TimeSpan.FromSeconds(120));
        output.WriteLine(text);

        Assert.True(code == 0, "exit " + code + ":\n" + text);
        // Each party's step, in the order the protocol takes them.
        string[] steps =
        [
            "device   | simulated ESP32 on /dev/pts/", "state identity-ready", "enroller | identity: device", "enroller | approval:",
            "service  | Lifecycle event enrollee.pending", "state bundle-received: bundle-stored", "mqtt: connected", "computing",
            "service  | Enrolled ", "state enrolled: enrolled",
            // A secure message each way over the channel (docs/session-protocol.md): a reading up, decrypted by
            // the service; a command down, carried out and acknowledged by the device.
            "demo     | secure channel, up:", "app: telemetry 1 sent in epoch 0: {\"device\":",
            "operator | telemetry the service decrypted: {\"device\":", "demo     | secure channel, down:", "app: command 1 received: blink-led 3",
            "operator | command 1 acknowledged by the device: done (ok)",
            "demo     | done: the device is enrolled as",
        ];
        int at = 0;
        foreach (var step in steps)
        {
            int next = text.IndexOf(step, at, StringComparison.Ordinal);
            Assert.True(next >= 0, "missing or out of order: " + step);
            at = next;
        }

        // The service's own log line comes through its child process's output, which can trail the operator's
        // read of the same telemetry: present, in no particular order against the other processes' lines.
        Assert.Contains("service  | Telemetry from device ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("demo passphrase", text, StringComparison.Ordinal);
        Assert.DoesNotContain("enr_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("opr_", text, StringComparison.Ordinal);
    }
}
