using Enrollment.Enrollee.Enrolling;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The timeouts in DeviceTimings follow from one measured figure (nanoCLR time per field operation) and two
/// stated factors; these hold the derivation together when any of them changes.
/// </summary>
public sealed class DeviceTimingsTests
{
    [Fact]
    public void Computation_bounds_follow_from_the_measured_host_time_and_the_esp32_factors()
    {
        long hostAttemptNs = (long)DeviceTimings.FieldOpsPerAttempt * DeviceTimings.HostFieldOpNanoseconds;
        long tablesNs = (long)DeviceTimings.FieldOpsTables * DeviceTimings.HostFieldOpNanoseconds;

        // Expected: host attempt x expected factor, to the millisecond (integer rounding of the per-op figure).
        Assert.InRange(DeviceTimings.ComputeEstimateMilliseconds,
            (hostAttemptNs * DeviceTimings.Esp32SlowdownExpected / 1_000_000) - DeviceTimings.FieldOpsPerAttempt / 1000,
            hostAttemptNs * DeviceTimings.Esp32SlowdownExpected / 1_000_000);

        // The announced worst case covers attempt + tables at the worst factor, rounded up to whole seconds.
        long worstMs = (hostAttemptNs + tablesNs) * DeviceTimings.Esp32SlowdownWorst / 1_000_000;
        Assert.True(DeviceTimings.ComputeWorstSeconds * 1000L >= worstMs - ((DeviceTimings.FieldOpsPerAttempt + DeviceTimings.FieldOpsTables) / 1000),
            "announced wait " + DeviceTimings.ComputeWorstSeconds + " s < worst " + worstMs + " ms");
        Assert.True(DeviceTimings.ComputeWorstSeconds * 1000L < worstMs + 1000);
        Assert.True(DeviceTimings.Esp32SlowdownWorst > DeviceTimings.Esp32SlowdownExpected);
    }

    [Fact]
    public void Waits_that_depend_on_the_computation_leave_room_for_it()
    {
        // An answer cannot come before the service's round trip after a full computation: waiting less
        // than two worst computations would start a new attempt while the last answer may be on its way.
        Assert.True(DeviceTimings.ResultTimeoutMilliseconds >= 2 * DeviceTimings.ComputeWorstMilliseconds);
        Assert.Equal(DeviceTimings.ComputeEstimateMilliseconds, DeviceTimings.BackoffBaseMilliseconds);
        Assert.True(DeviceTimings.BundleCheckWorstSeconds * 1000L
            >= (long)(DeviceTimings.FieldOpsTables + DeviceTimings.FieldOpsBundleCheck) * DeviceTimings.FieldOpMicrosecondsWorst / 1000);
    }
}
