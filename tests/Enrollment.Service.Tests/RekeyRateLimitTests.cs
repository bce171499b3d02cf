using Enrollment.Protocol.Session;
using Enrollment.Service.Tests.Support;

namespace Enrollment.Service.Tests;

/// <summary>
/// Rekey inits cost the service three X25519 each, so they are limited (docs/session-protocol.md section 11):
/// per device (Channel:RekeyInitsPerMinute) and for all devices together (Channel:RekeyInitsPerSecond). An
/// init beyond a limit is dropped and counted, and the limit refills with time (the test's manual clock).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RekeyRateLimitTests
{
    private static Task<(TestService Service, EnrollerClient Enroller, HttpClient Operator)> StartAsync(int perMinute, int perSecond) =>
        Parties.StartAsync(new TestServiceSetup
        {
            Settings = new()
            {
                ["Enrollment:Channel:RekeyInitsPerMinute"] = perMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Enrollment:Channel:RekeyInitsPerSecond"] = perSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });

    [Fact]
    public async Task A_device_beyond_its_rekey_inits_per_minute_is_dropped_until_the_bucket_refills()
    {
        var (service, enroller, _) = await StartAsync(perMinute: 2, perSecond: 100);
        await using var _s = service;
        await using var device = await ChannelDevice.EnrollAsync(service, enroller);
        using var metrics = new MetricsProbe(service);

        await device.RekeyAsync();
        await device.RekeyAsync();
        Assert.Equal(2u, device.Epoch);
        await device.PublishAsync(device.StartRekey());
        await metrics.WaitForAsync("channel.rejected:rate_limited", 1);

        service.Time.Advance(TimeSpan.FromSeconds(30)); // one token back at 2 a minute
        await device.RekeyAsync();
        Assert.Equal(3u, device.Epoch);
        Assert.Empty(service.Errors);
    }

    [Fact]
    public async Task Rekey_inits_of_all_devices_together_beyond_the_limit_per_second_are_dropped_until_it_refills()
    {
        var (service, enroller, _) = await StartAsync(perMinute: 20, perSecond: 3);
        await using var _s = service;
        var devices = new List<ChannelDevice>();
        for (int i = 0; i < 4; i++)
        {
            devices.Add(await ChannelDevice.EnrollAsync(service, enroller));
        }

        try
        {
            using var metrics = new MetricsProbe(service);
            for (int i = 0; i < 3; i++)
            {
                await devices[i].RekeyAsync();
                Assert.Equal(1u, devices[i].Epoch);
            }

            await devices[3].PublishAsync(devices[3].StartRekey());
            await metrics.WaitForAsync("channel.rejected:rate_limited_all", 1);
            Assert.Equal(0u, devices[3].Epoch);

            service.Time.Advance(TimeSpan.FromSeconds(1));
            await devices[3].RekeyAsync();
            Assert.Equal(1u, devices[3].Epoch);
            Assert.Empty(service.Errors);
        }
        finally
        {
            foreach (var d in devices)
            {
                await d.DisposeAsync();
            }
        }
    }
}
