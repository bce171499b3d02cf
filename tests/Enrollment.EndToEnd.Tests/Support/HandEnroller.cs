using Enrollment.Enrollee.Messages;
using Enrollment.Tool.Config;
using Enrollment.Tool.Serial;
using Enrollment.Tool.Service;

namespace Enrollment.EndToEnd.Tests.Support;

/// <summary>
/// The enroller's steps one at a time, with the tool's own classes (its service client and serial session),
/// so a test can leave one out or put time between them: fetch a genuine bundle, register (approve) an
/// enrollee, hand a device the bundle over its serial port.
/// </summary>
internal sealed class HandEnroller : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);
    private readonly ServiceClient _client;

    public HandEnroller(ServiceProcess service)
    {
        _client = new ServiceClient(new ServiceSettings(ToolConfig.ParseServiceUri(service.Url), service.EnrollerToken, null));
    }

    public async Task<BundleDto> FetchBundleAsync() => Assert.Single(await _client.IssueBundlesAsync(1, CancellationToken.None));

    public Task<EnrolleeResponse> RegisterAsync(DeviceInfo device, string petName, string bundleId) =>
        _client.RegisterAsync(new RegisterRequest(Convert.ToBase64String(device.EikPublic), petName, bundleId), CancellationToken.None);

    /// <summary>Hello over the device's serial port: its enrollee id and EIK_B.</summary>
    public static DeviceInfo Hello(string port)
    {
        using var session = new DeviceSession(PortLink.Open(port, 115200));
        return session.Hello(Step, CancellationToken.None);
    }

    /// <summary>Hands the device the bundle and Wi-Fi settings; returns once it says it stored them.</summary>
    public static DeviceStatus HandBundle(string port, BundleDto bundle)
    {
        using var session = new DeviceSession(PortLink.Open(port, 115200));
        session.Hello(Step, CancellationToken.None);
        var m = new BundleMessage();
        byte[] ssid = "e2e-net"u8.ToArray();
        ssid.CopyTo(m.Ssid, 0);
        m.SsidLength = ssid.Length;
        m.EnrollerTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] raw = Convert.FromBase64String(bundle.Bundle);
        raw.CopyTo(m.Bundle, 0);
        m.BundleLength = raw.Length;
        return session.SendBundle(m, Step, CancellationToken.None);
    }

    public void Dispose() => _client.Dispose();
}
