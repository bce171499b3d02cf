using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class AllocationTests
{
    [Fact]
    public void Sealing_and_opening_into_caller_buffers_allocates_nothing()
    {
        var pair = ChannelPair.Random();
        var payload = RandomNumberGenerator.GetBytes(200);
        var frame = new byte[SessionConstants.MaxFrameSize];
        var plain = new byte[SessionConstants.MaxPayloadSize];

        void RoundTrip()
        {
            pair.DeviceSender.Seal(ChannelMessageType.Telemetry, payload, 0, payload.Length, frame, 0, out int n);
            var s1 = pair.ServiceReceiver.Open(frame, 0, n, plain, 0, out _, out _, out _);
            var s2 = pair.ServiceReceiver.Open(frame, 0, n, plain, 0, out _, out _, out _); // replay path
            pair.ServiceSender.Seal(ChannelMessageType.Command, payload, 0, payload.Length, frame, 0, out n);
            frame[20] ^= 1;
            var s3 = pair.DeviceReceiver.Open(frame, 0, n, plain, 0, out _, out _, out _); // tamper path
            if (s1 != ChannelOpenStatus.Accepted || s2 != ChannelOpenStatus.Replayed || s3 != ChannelOpenStatus.Tampered)
                throw new InvalidOperationException("unexpected statuses");
        }

        RoundTrip(); // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 500; i++)
            RoundTrip();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(501UL, pair.DeviceSender.NextCounter);
    }
}
