using System.Diagnostics;
using System.Text.Json;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.State;
using Enrollment.Simulator;
using Xunit.Abstractions;

namespace Enrollment.Tool.Tests;

/// <summary>
/// The happy path end to end against the real service (child process, embedded broker, SQLite): a simulated
/// device running the firmware's real protocol adapter is provisioned by the tool and enrolls.
/// </summary>
public sealed class RealServiceTests(RealServiceTests.Service fixture, ITestOutputHelper output) : IClassFixture<RealServiceTests.Service>
{
    /// <summary>One service process for the class: starting one costs seconds.</summary>
    public sealed class Service : IAsyncLifetime
    {
        private readonly string _root = Directory.CreateTempSubdirectory("enroll-tool-service-").FullName;

        internal ServiceProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() => Process = await ServiceProcess.StartAsync(Path.Combine(_root, "data"));

        public Task DisposeAsync()
        {
            Process.Dispose();
            Directory.Delete(_root, recursive: true);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_simulated_device_is_provisioned_and_enrolls_with_the_real_service()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var device = rig.AddDevice(DeviceProtocol.Create(), core: FastRetries());
        using var client = rig.Client(service.Url, service.Token);

        var report = rig.Provision(client, device.PortPath, wait: true, petName: "bench-1");

        Assert.True(report.ExitCode == 0, report.Message + "\n" + rig.Log.Text + "\n" + service.Output);
        Assert.Equal("enrolled", report.State);
        Assert.NotNull(report.DeviceId);
        // The tool saw the core's status; the simulator publishes its State after the core's tick, a moment later.
        Rig.Eventually(() => device.State == EnrolleeState.Enrolled, TimeSpan.FromSeconds(5), "the simulator's enrolled state");
        Assert.DoesNotContain(await client.ListPendingAsync(CancellationToken.None), e => e.Id == report.ServiceEnrolleeId);
        Assert.DoesNotContain(service.Token, rig.Log.Text, StringComparison.Ordinal);
        output.WriteLine("tool time to bundle stored: " + report.ToolMilliseconds + " ms (service " + report.ServiceMilliseconds
            + " ms); until enrolled: " + report.TotalMilliseconds + " ms");
    }

    [Fact]
    public async Task An_enrolled_device_is_refused_until_it_is_factory_reset_then_it_enrolls_again()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var device = rig.AddDevice(DeviceProtocol.Create(), core: FastRetries());
        using var client = rig.Client(service.Url, service.Token);
        var first = rig.Provision(client, device.PortPath, wait: true);
        Assert.True(first.ExitCode == 0, first.Message);

        var again = rig.Provision(client, device.PortPath);
        Assert.Equal((int)ExitCode.DeviceRefused, again.ExitCode);
        Assert.Contains("enroll reset", again.Message, StringComparison.Ordinal);

        using (var session = new Serial.DeviceSession(Serial.PortLink.Open(device.PortPath, 115200)))
        {
            var info = session.Hello(TimeSpan.FromSeconds(5), CancellationToken.None);
            session.FactoryReset(info, TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        Rig.Eventually(() => device.State == EnrolleeState.IdentityReady, TimeSpan.FromSeconds(10), "a new identity");
        var third = rig.Provision(client, device.PortPath, wait: true);
        Assert.True(third.ExitCode == 0, third.Message);
        Assert.NotEqual(first.EnrolleeId, third.EnrolleeId);
        Assert.NotEqual(first.DeviceId, third.DeviceId);
    }

    [Fact]
    public async Task A_device_limited_to_mqtt_3_1_1_enrolls_too()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var device = new SimulatedDevice(new SimulatorOptions
        {
            Name = "mqtt311", StateDirectory = Path.Combine(rig.Root, "mqtt311"), MqttVersion = MQTTnet.Formatter.MqttProtocolVersion.V311, Core = FastRetries(),
        }, DeviceProtocol.Create(), rig.Log);
        using (device)
        {
            device.Start();
            using var client = rig.Client(service.Url, service.Token);

            var report = rig.Provision(client, device.PortPath, wait: true);

            Assert.True(report.ExitCode == 0, report.Message + "\n" + rig.Log.Text);
            Rig.Eventually(() => device.State == EnrolleeState.Enrolled, TimeSpan.FromSeconds(5), "the simulator's enrolled state");
            Assert.Contains("MQTT 3.1.1", rig.Log.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_device_whose_approval_was_withdrawn_reports_a_final_failure()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var core = FastRetries();
        core.MaxAttempts = 1;
        core.ResultTimeoutMilliseconds = 2000;
        var device = rig.AddDevice(DeviceProtocol.Create(), core: core);
        using var client = rig.Client(service.Url, service.Token);
        string? bundlePrefix = null;

        // Between the registration and the transfer, the approval is withdrawn (as an operator deleting the
        // pending enrollee would): the service then does not know the device when its message arrives.
        var report = rig.Provision(client, device.PortPath, wait: true, waitTimeout: TimeSpan.FromSeconds(30), onStage: (stage, text) =>
        {
            if (stage == Provisioning.Stage.Registering && text.Contains("(bundle ", StringComparison.Ordinal))
            {
                bundlePrefix = text[(text.IndexOf("(bundle ", StringComparison.Ordinal) + 8)..].TrimEnd(')');
            }
            else if (stage == Provisioning.Stage.Transferring)
            {
                var pending = client.ListPendingAsync(CancellationToken.None).GetAwaiter().GetResult();
                var mine = Assert.Single(pending, p => p.BundleId.StartsWith(bundlePrefix!, StringComparison.Ordinal));
                Assert.True(client.DeleteEnrolleeAsync(mine.Id, CancellationToken.None).GetAwaiter().GetResult());
            }
        });

        Assert.True(report.ExitCode == (int)ExitCode.EnrollmentFailed, report.Message + "\n" + rig.Log.Text);
        Assert.NotEqual(EnrolleeState.Enrolled, device.State);
    }

    [Fact]
    public async Task A_revoked_enroller_token_is_refused_by_the_real_service()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var (code, stdout, stderr) = await service.AdminAsync("enrollers", "add", "--name", "doomed");
        Assert.True(code == 0, stderr);
        string token = stdout.Trim().Split('\n')[^1].Trim();
        (code, _, stderr) = await service.AdminAsync("enrollers", "revoke", "--name", "doomed");
        Assert.True(code == 0, stderr);
        var device = rig.AddDevice(DeviceProtocol.Create());
        using var client = rig.Client(service.Url, token);

        var report = rig.Provision(client, device.PortPath);

        Assert.Equal((int)ExitCode.AuthRejected, report.ExitCode);
        Assert.Equal(EnrolleeState.IdentityReady, device.State);
    }

    [Fact]
    public async Task The_enroll_command_provisions_a_batch_and_prints_one_json_object_per_device()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        var devices = new[] { rig.AddDevice(DeviceProtocol.Create(), core: FastRetries()), rig.AddDevice(DeviceProtocol.Create(), core: FastRetries()) };
        File.WriteAllText(Path.Combine(rig.Root, "wifi.txt"), "correct horse battery\n");

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "enroll.dll"), "provision", "--port", devices[0].PortPath, "--port", devices[1].PortPath,
            "--wifi-ssid", "line-3", "--wifi-password-file", Path.Combine(rig.Root, "wifi.txt"), "--pet-name", "unit", "--wait", "--timeout", "60", "--json" })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["ENROLL_HOME"] = rig.ToolHome;
        info.Environment["ENROLL_SERVICE"] = service.Url;
        info.Environment["ENROLL_TOKEN"] = service.Token;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        string outText = await stdout, errText = await stderr;
        output.WriteLine(outText + errText);

        Assert.True(process.ExitCode == 0, "exit " + process.ExitCode + ": " + outText + errText + rig.Log.Text);
        var reports = outText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal("enrolled", r.GetProperty("state").GetString()));
        Assert.Equal(["unit-1", "unit-2"], reports.Select(r => r.GetProperty("petName").GetString()!).Order().ToArray());
        Assert.DoesNotContain(service.Token, outText + errText, StringComparison.Ordinal);
        Assert.DoesNotContain("correct horse", outText + errText + rig.Log.Text, StringComparison.Ordinal);
        Assert.All(devices, d => Rig.Eventually(() => d.State == EnrolleeState.Enrolled, TimeSpan.FromSeconds(5), "the simulator's enrolled state"));
    }

    [Fact]
    public async Task The_enroll_command_prints_plain_progress_lines_when_not_on_a_terminal_and_exits_with_the_fault_code()
    {
        using var rig = new Rig(output);
        var service = fixture.Process;
        using var silent = Simulator.Pty.PseudoTerminal.Open();
        var (code, text) = await ToolProcess.RunAsync("enroll.dll", ["provision", "--port", silent.SlavePath, "--wifi-ssid", "x", "--service", service.Url],
            TimeSpan.FromSeconds(60), info =>
            {
                info.Environment["ENROLL_HOME"] = rig.ToolHome;
                info.Environment["ENROLL_TOKEN"] = service.Token;
            });
        output.WriteLine(text);

        Assert.Equal((int)ExitCode.NoAnswer, code);
        Assert.Contains(silent.SlavePath + ": hello: hello", text, StringComparison.Ordinal);
        Assert.Contains("0 of 1 device(s) provisioned", text, StringComparison.Ordinal);
        Assert.Contains("exit 4 (NoAnswer)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_http_to_a_remote_host_and_a_missing_token_are_usage_errors()
    {
        using var rig = new Rig(output);
        foreach (var (args, env, expect) in new[]
        {
            (new[] { "provision", "--port", "/dev/null", "--wifi-ssid", "x", "--service", "http://enroll.example.com" }, "enr_x", "Refusing plain HTTP"),
            (new[] { "provision", "--port", "/dev/null", "--wifi-ssid", "x", "--service", "https://enroll.example.com" }, "", "No enroller token"),
        })
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "enroll.dll"));
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            info.Environment["ENROLL_HOME"] = rig.ToolHome;
            info.Environment["ENROLL_TOKEN"] = env;
            info.Environment.Remove("ENROLL_SERVICE");
            using var process = Process.Start(info)!;
            var stderrText = process.StandardError.ReadToEndAsync();
            var stdoutText = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            string text = await stderrText + await stdoutText;
            Assert.Equal((int)ExitCode.Usage, process.ExitCode);
            Assert.Contains(expect, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The device's defaults wait 13 s before a retry (ESP32 compute); the simulator computes in milliseconds.</summary>
    private static EnrolleeOptions FastRetries() => new() { BackoffBaseMilliseconds = 500, NetworkRetryMilliseconds = 300, ResultTimeoutMilliseconds = 5000 };
}
