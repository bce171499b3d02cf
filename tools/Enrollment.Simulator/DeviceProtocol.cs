using Enrollment.Enrollee.Enrolling;

namespace Enrollment.Simulator;

/// <summary>The protocol functions the simulated device runs: the firmware's own adapter over shared/.</summary>
internal static class DeviceProtocol
{
    public static IEnrolleeProtocol Create() => new ProtocolAdapter();
}
