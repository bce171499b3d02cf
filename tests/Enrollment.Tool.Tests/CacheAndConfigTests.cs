using System.Text;
using Enrollment.Tool.Cache;
using Enrollment.Tool.Commands;
using Enrollment.Tool.Config;
using Enrollment.Tool.Serial;

namespace Enrollment.Tool.Tests;

public sealed class CacheAndConfigTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_bundle_cache_is_encrypted_at_rest_under_a_private_key_file()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);

        await rig.Cache.FetchAsync(client, 3, CancellationToken.None);

        var bundles = rig.Cache.List();
        Assert.Equal(3, bundles.Count);
        byte[] file = File.ReadAllBytes(Path.Combine(rig.ToolHome, "bundles.bin"));
        string asText = Encoding.Latin1.GetString(file);
        Assert.StartsWith("ENR1", asText, StringComparison.Ordinal);
        foreach (var b in bundles)
        {
            Assert.DoesNotContain(b.BundleId, asText, StringComparison.Ordinal);
            Assert.DoesNotContain(b.Bundle[..16], asText, StringComparison.Ordinal);
        }

        var mode = File.GetUnixFileMode(Path.Combine(rig.ToolHome, "cache.key"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(rig.ToolHome, "bundles.bin")));
    }

    [Fact]
    public async Task A_tampered_cache_is_refused_not_used()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 2, CancellationToken.None);
        string path = Path.Combine(rig.ToolHome, "bundles.bin");
        byte[] file = File.ReadAllBytes(path);
        file[^5] ^= 0x01;
        File.WriteAllBytes(path, file);

        var failure = Assert.Throws<ToolFailure>(() => rig.Cache.List());
        Assert.Equal(ExitCode.Usage, failure.Code);
        Assert.Contains("damaged or replaced", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queue_file_cannot_be_swapped_for_the_bundle_file()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 1, CancellationToken.None);
        File.Copy(Path.Combine(rig.ToolHome, "bundles.bin"), Path.Combine(rig.ToolHome, "queue.bin"));

        Assert.Throws<ToolFailure>(() => rig.Queue.List());
    }

    [Fact]
    public async Task Bundles_of_one_service_are_not_handed_out_for_another()
    {
        using var rig = new Rig();
        using var service = new FakeService();
        using var client = rig.Client(service.Url);
        await rig.Cache.FetchAsync(client, 2, CancellationToken.None);

        Assert.Null(await rig.Cache.TakeAsync("https://other.example/", CancellationToken.None));
        Assert.NotNull(await rig.Cache.TakeAsync(client.Settings.Key, CancellationToken.None));
        Assert.Equal(1, rig.Cache.Usable(client.Settings.Key));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080/")]
    [InlineData("http://[::1]:5080")]
    [InlineData("https://enroll.example.com")]
    public void Https_or_loopback_http_is_accepted(string url)
    {
        var uri = ToolConfig.ParseServiceUri(url);
        Assert.EndsWith("/", uri.AbsoluteUri, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://enroll.example.com")]
    [InlineData("http://10.0.0.5:5080")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("not a url")]
    public void Plain_http_to_another_host_is_refused(string url)
    {
        var failure = Assert.Throws<ToolFailure>(() => ToolConfig.ParseServiceUri(url));
        Assert.Equal(ExitCode.Usage, failure.Code);
    }

    [Fact]
    public void The_service_settings_never_show_the_token()
    {
        var settings = new ServiceSettings(new Uri("https://s.example/"), "enr_secret_value", null);
        Assert.DoesNotContain("enr_secret_value", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_exit_code_is_distinct_and_documented()
    {
        var codes = ExitCodes.Table.Select(t => (int)t.Code).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(Enum.GetValues<ExitCode>().Length, codes.Count);
        string help = ExitCodes.HelpText();
        foreach (var (code, meaning) in ExitCodes.Table)
        {
            Assert.Contains(meaning, help, StringComparison.Ordinal);
        }

        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "enroll-tool.md"));
        foreach (var (code, _) in ExitCodes.Table)
        {
            Assert.Contains("| " + (int)code + " |", doc, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_batch_exit_code_is_the_common_one_or_mixed()
    {
        Assert.Equal(ExitCode.Ok, ExitCodes.Combine([ExitCode.Ok, ExitCode.Ok]));
        Assert.Equal(ExitCode.LinkLost, ExitCodes.Combine([ExitCode.LinkLost, ExitCode.LinkLost]));
        Assert.Equal(ExitCode.BatchMixed, ExitCodes.Combine([ExitCode.Ok, ExitCode.LinkLost]));
    }

    [Fact]
    public void Text_is_told_from_line_noise()
    {
        Assert.True(DeviceSession.LooksLikeText("ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\n"u8));
        var noise = new byte[256];
        new Random(7).NextBytes(noise);
        Assert.False(DeviceSession.LooksLikeText(noise));
    }

    [Fact]
    public void Port_globs_expand_in_order_and_a_glob_matching_nothing_fails()
    {
        using var rig = new Rig();
        foreach (var n in new[] { "ttyFAKE1", "ttyFAKE0", "other" })
        {
            File.WriteAllText(Path.Combine(rig.Root, n), "");
        }

        var ports = ProvisionCommand.ExpandPorts([Path.Combine(rig.Root, "ttyFAKE*")]);
        Assert.Equal([Path.Combine(rig.Root, "ttyFAKE0"), Path.Combine(rig.Root, "ttyFAKE1")], ports);
        Assert.Equal(ExitCode.PortUnavailable, Assert.Throws<ToolFailure>(() => ProvisionCommand.ExpandPorts([Path.Combine(rig.Root, "ttyNONE*")])).Code);
        Assert.Equal(ExitCode.Usage, Assert.Throws<ToolFailure>(() => ProvisionCommand.ExpandPorts(["/dev/x", "/dev/x"])).Code);
    }

    [Fact]
    public void A_usb_adapter_is_described_from_sysfs()
    {
        using var rig = new Rig();
        // The layout Linux gives a USB-serial port: tty/ttyUSB0/device -> .../1-1/1-1:1.0/ttyUSB0.
        string usb = Path.Combine(rig.Root, "devices", "usb1", "1-1");
        string port = Path.Combine(usb, "1-1:1.0", "ttyUSB0");
        Directory.CreateDirectory(port);
        File.WriteAllText(Path.Combine(usb, "idVendor"), "10c4\n");
        File.WriteAllText(Path.Combine(usb, "idProduct"), "ea60\n");
        File.WriteAllText(Path.Combine(usb, "manufacturer"), "Silicon Labs\n");
        File.WriteAllText(Path.Combine(usb, "product"), "CP2102 USB to UART Bridge Controller\n");
        string tty = Path.Combine(rig.Root, "class", "tty", "ttyUSB0");
        Directory.CreateDirectory(tty);
        Directory.CreateSymbolicLink(Path.Combine(tty, "device"), port);

        string? text = PortsCommand.Describe("/dev/ttyUSB0", Path.Combine(rig.Root, "class", "tty"));

        Assert.Equal("Silicon Labs CP2102 USB to UART Bridge Controller [10c4:ea60]", text);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Enrollment.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
