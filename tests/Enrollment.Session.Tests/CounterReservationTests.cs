using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

public class CounterReservationTests
{
    private static readonly byte[] Payload = new byte[8];

    [Fact]
    public void Sender_persists_a_block_ahead_before_using_it()
    {
        var store = new FlashCounterStore();
        var sender = new ChannelSender(new byte[32], 2, 0, "dev-1", ChannelDirection.Up, store, 10);
        ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal((2u, 10UL, 1), (store.PersistedEpoch, store.Persisted, store.Writes));
        for (int i = 1; i < 10; i++)
            ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload);
        Assert.Equal(1, store.Writes);
        ChannelPair.Seal(sender, ChannelMessageType.Telemetry, Payload); // counter 10 needs a new block
        Assert.Equal((20UL, 2), (store.Persisted, store.Writes));
    }

    [Fact]
    public void Power_loss_at_any_point_never_reuses_a_counter()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var store = new FlashCounterStore();
        var receiver = new ChannelReceiver(key, 0, "dev-1", ChannelDirection.Up);
        var used = new HashSet<ulong>();
        var rng = new Random(1234);
        var sender = new ChannelSender(key, 0, 0, "dev-1", ChannelDirection.Up, store, 7);
        var buffer = new byte[SessionConstants.MaxPayloadSize];
        for (int step = 0; step < 2000; step++)
        {
            if (rng.Next(10) == 0)
            {
                // Power loss: RAM (the sender) is gone; only the store survives. Resume from it.
                sender = new ChannelSender(key, 0, store.Persisted, "dev-1", ChannelDirection.Up, store, 7);
                continue;
            }

            if (rng.Next(50) == 0)
                store.FailNext = true; // the flash write fails: nothing may be sent on an unreserved counter

            ulong before = sender.NextCounter;
            var frame = new byte[SessionConstants.MinFrameSize + Payload.Length];
            var status = sender.Seal(ChannelMessageType.Telemetry, Payload, 0, Payload.Length, frame, 0, out _);
            if (status == ChannelSealStatus.ReservationFailed)
            {
                Assert.Equal(before, sender.NextCounter);
                continue;
            }

            Assert.Equal(ChannelSealStatus.Sealed, status);
            Assert.True(ChannelFrame.TryReadHeader(frame, 0, frame.Length, out _, out _, out ulong counter));
            Assert.True(counter < store.Persisted, "every counter used lies below a durable reservation");
            Assert.True(used.Add(counter), "counter " + counter + " reused after a power loss");
            var open = receiver.Open(frame, 0, frame.Length, buffer, 0, out _, out _, out _);
            Assert.Equal(ChannelOpenStatus.Accepted, open);
        }

        Assert.True(used.Count > 1500);
    }

    [Fact]
    public void Reservation_failure_sends_nothing_and_a_retry_succeeds()
    {
        var store = new FlashCounterStore { FailNext = true };
        var sender = new ChannelSender(new byte[32], 0, 0, "dev-1", ChannelDirection.Up, store, 4);
        var frame = new byte[64];
        Assert.Equal(ChannelSealStatus.ReservationFailed, sender.Seal(ChannelMessageType.Telemetry, Payload, 0, 8, frame, 0, out int n));
        Assert.Equal(0, n);
        Assert.All(frame, b => Assert.Equal(0, b));
        Assert.Equal(ChannelSealStatus.Sealed, sender.Seal(ChannelMessageType.Telemetry, Payload, 0, 8, frame, 0, out n));
        Assert.Equal(38, n);
    }

    [Fact]
    public void Exhausted_counters_require_a_rekey()
    {
        var store = new FlashCounterStore();
        var sender = new ChannelSender(new byte[32], 0, ulong.MaxValue - 2, "dev-1", ChannelDirection.Up, store, 64);
        var frame = new byte[64];
        Assert.Equal(ChannelSealStatus.Sealed, sender.Seal(ChannelMessageType.Telemetry, Payload, 0, 8, frame, 0, out _));
        Assert.Equal(ulong.MaxValue, store.Persisted); // the block is clipped, not wrapped
        Assert.Equal(ChannelSealStatus.Sealed, sender.Seal(ChannelMessageType.Telemetry, Payload, 0, 8, frame, 0, out _));
        Assert.Equal(ChannelSealStatus.RekeyRequired, sender.Seal(ChannelMessageType.Telemetry, Payload, 0, 8, frame, 0, out _));
        Assert.Equal(ulong.MaxValue, sender.NextCounter);
    }
}
