using Enrollment.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Enrollment.EndToEnd.Tests;

/// <summary>
/// The service with <c>Mqtt:RequestTopicPerEnrollee</c> on Mosquitto over TLS: its bundles tell the simulated
/// ESP32 to publish on its own request topic, the only enrollment topic the service listens on for it; the
/// device, provisioned by the tool, enrolls and then talks over the secure channel both ways.
/// </summary>
public sealed class PerEnrolleeTopicTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_device_enrolls_on_its_own_request_topic_and_talks_over_the_secure_channel()
    {
        await using var world = await World.OnMosquittoAsync(new Dictionary<string, string>
        {
            ["Enrollment__Mqtt__RequestTopicPerEnrollee"] = "true",
            ["Enrollment__Mqtt__FloodRejectionsPerSecond"] = "0", // only approved enrollees' topics, at all times
        });
        await SecureChannel.TelemetryUpAndCommandDownAsync(world, "own-topic-1", output);
        Assert.Contains("enroll/v1/request/<enrollee id> of each approved enrollee", world.Service.Output, StringComparison.Ordinal);
    }
}
