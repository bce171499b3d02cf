using Enrollment.Enrollee.Link;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>Framing, acknowledgements and retransmission between two links over a faulty wire.</summary>
public class LinkTests
{
    private sealed class Sink : ILinkHandler
    {
        public List<(byte Type, byte[] Payload)> Messages { get; } = new();
        public int Failed { get; private set; }
        public int TooLarge { get; private set; }

        public void OnMessage(byte type, byte[] payload, int offset, int count) =>
            Messages.Add((type, payload.AsSpan(offset, count).ToArray()));

        public void OnSendFailed(byte type) => Failed++;

        public void OnMessageTooLarge(byte type) => TooLarge++;
    }

    private sealed class Pair
    {
        public Pair(int maxRetries = 16, int slotSize = 4096, int maxMessage = 4096)
        {
            var o = new LinkOptions { MaxRetries = maxRetries, SlotSize = slotSize, MaxMessageSize = maxMessage, QueueSlots = 16 };
            A = new EnrollerLink(Pipe.A, Clock, SinkA, o);
            B = new EnrollerLink(Pipe.B, Clock, SinkB, o);
        }

        public SerialPipe Pipe { get; } = new();
        public FakeClock Clock { get; } = new();
        public Sink SinkA { get; } = new();
        public Sink SinkB { get; } = new();
        public EnrollerLink A { get; }
        public EnrollerLink B { get; }

        public void Run(Func<bool> until, long maxMs = 600_000)
        {
            long end = Clock.NowMilliseconds + maxMs;
            while (!until() && Clock.NowMilliseconds < end)
            {
                A.Poll();
                B.Poll();
                Clock.Advance(10);
            }
        }
    }

    private static uint ReferenceCrc32(byte[] data)
    {
        // Bit-at-a-time definition (IEEE 802.3, reflected), independent of the half-byte table.
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public void Crc32_matches_the_check_value_and_the_bitwise_definition()
    {
        byte[] check = "123456789"u8.ToArray();
        Assert.Equal(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
        var random = new Random(5);
        for (int n = 0; n < 300; n++)
        {
            byte[] data = new byte[n];
            random.NextBytes(data);
            Assert.Equal(ReferenceCrc32(data), Crc32.Compute(data, 0, n));
        }
    }

    [Fact]
    public void A_frame_has_the_documented_bytes()
    {
        byte[] payload = { 0xDE, 0xAD };
        byte[] frame = new byte[Frame.MaxFrameSize];
        int n = Frame.Encode(1, 0x05, Frame.FlagMore | Frame.FlagFirst, 7, payload, 0, 2, frame, 0);
        Assert.Equal(14, n);
        byte[] header = { 0xA5, 0xC3, 0x01, 0x05, 0x03, 0x07, 0x00, 0x02, 0xDE, 0xAD };
        Assert.Equal(header, frame[..10]);
        uint crc = ReferenceCrc32(frame[2..10]);
        Assert.Equal(new[] { (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc }, frame[10..14]);
    }

    [Fact]
    public void Oversize_payloads_are_refused_by_the_encoder()
    {
        byte[] big = new byte[Frame.MaxPayload + 1];
        Assert.Throws<ArgumentOutOfRangeException>(() => Frame.Encode(1, 2, 0, 0, big, 0, big.Length, new byte[400], 0));
    }

    [Fact]
    public void Messages_of_every_size_arrive_whole_and_in_order_both_ways()
    {
        var p = new Pair();
        var random = new Random(1);
        var sent = new List<byte[]>();
        foreach (int size in new[] { 0, 1, 127, 128, 129, 256, 1000, 2181, 4096 })
        {
            byte[] m = new byte[size];
            random.NextBytes(m);
            sent.Add(m);
            Assert.True(p.A.TrySend(0x03, m, 0, size));
            Assert.True(p.B.TrySend(0x05, m, 0, size));
        }

        p.Run(() => p.SinkB.Messages.Count == sent.Count && p.SinkA.Messages.Count == sent.Count);
        Assert.Equal(sent, p.SinkB.Messages.Select(m => m.Payload));
        Assert.Equal(sent, p.SinkA.Messages.Select(m => m.Payload));
        Assert.All(p.SinkB.Messages, m => Assert.Equal(0x03, m.Type));
        Assert.Equal(0, p.A.Counters.Retransmissions);
    }

    [Fact]
    public void One_percent_byte_corruption_never_delivers_a_wrong_message_and_retransmission_gets_everything_through()
    {
        // Every byte on the wire, data and acknowledgements, both directions, is replaced by a random
        // value with probability 1%. With 128-byte frames about one in four gets through per try, so the
        // retry limit is raised from the device default (16) for this torture test.
        var p = new Pair(maxRetries: 200);
        var noise = new Random(42);
        Func<byte[], IEnumerable<byte[]>> corrupt = chunk =>
        {
            byte[] c = (byte[])chunk.Clone();
            for (int i = 0; i < c.Length; i++)
            {
                if (noise.NextDouble() < 0.01)
                {
                    c[i] = (byte)noise.Next(256);
                }
            }

            return new[] { c };
        };
        p.Pipe.A.Fault = corrupt;
        p.Pipe.B.Fault = corrupt;

        var random = new Random(7);
        var toB = new List<byte[]>();
        var toA = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            byte[] m = new byte[random.Next(0, 600)];
            random.NextBytes(m);
            toB.Add(m);
            byte[] r = new byte[random.Next(0, 64)];
            random.NextBytes(r);
            toA.Add(r);
        }

        int nextB = 0, nextA = 0;
        p.Run(() =>
        {
            while (nextB < toB.Count && p.A.TrySend(0x03, toB[nextB], 0, toB[nextB].Length)) nextB++;
            while (nextA < toA.Count && p.B.TrySend(0x05, toA[nextA], 0, toA[nextA].Length)) nextA++;
            return p.SinkB.Messages.Count == toB.Count && p.SinkA.Messages.Count == toA.Count;
        }, maxMs: 10_000_000);

        Assert.Equal(toB, p.SinkB.Messages.Select(m => m.Payload));
        Assert.Equal(toA, p.SinkA.Messages.Select(m => m.Payload));
        Assert.Equal(0, p.SinkA.Failed + p.SinkB.Failed);
        Assert.True(p.B.Counters.CrcErrors > 100, "the noise hit: " + p.B.Counters.CrcErrors);
        Assert.True(p.A.Counters.Retransmissions > 100);
        Console.WriteLine($"1% corruption: {toB.Count}+{toA.Count} messages delivered exactly; " +
            $"CRC errors {p.A.Counters.CrcErrors + p.B.Counters.CrcErrors}, retransmissions " +
            $"{p.A.Counters.Retransmissions + p.B.Counters.Retransmissions}");
    }

    [Fact]
    public void Truncated_frames_are_dropped_and_the_link_recovers()
    {
        var p = new Pair();
        int n = 0;
        // Every third frame from A loses its tail.
        p.Pipe.A.Fault = chunk => ++n % 3 == 0 ? new[] { chunk[..(chunk.Length / 2)] } : new[] { chunk };
        var sent = Enumerable.Range(0, 40).Select(i => Enumerable.Repeat((byte)i, 10 + (i * 7)).ToArray()).ToList();
        int next = 0;
        p.Run(() =>
        {
            while (next < sent.Count && p.A.TrySend(0x03, sent[next], 0, sent[next].Length)) next++;
            return p.SinkB.Messages.Count == sent.Count;
        });
        Assert.Equal(sent, p.SinkB.Messages.Select(m => m.Payload));
        Assert.True(p.A.Counters.Retransmissions > 0);
    }

    [Fact]
    public void Duplicated_frames_are_delivered_once()
    {
        var p = new Pair();
        p.Pipe.A.Fault = chunk => new[] { chunk, chunk, chunk };
        p.Pipe.B.Fault = chunk => new[] { chunk, chunk };
        var sent = Enumerable.Range(0, 30).Select(i => Enumerable.Repeat((byte)i, 200).ToArray()).ToList();
        int next = 0;
        p.Run(() =>
        {
            while (next < sent.Count && p.A.TrySend(0x03, sent[next], 0, sent[next].Length)) next++;
            return p.SinkB.Messages.Count == sent.Count && p.A.IsIdle;
        });
        p.Run(() => false, 2000);
        Assert.Equal(sent, p.SinkB.Messages.Select(m => m.Payload));
        Assert.True(p.B.Counters.Duplicates >= 2 * 60);
    }

    [Fact]
    public void Reordered_frames_are_never_delivered_out_of_order()
    {
        var p = new Pair();
        byte[]? held = null;
        int count = 0;
        // Hold every fourth frame back and release it after the next one: late copies arrive out of order.
        p.Pipe.A.Fault = chunk =>
        {
            count++;
            if (held == null && count % 4 == 0)
            {
                held = chunk;
                return Array.Empty<byte[]>();
            }

            if (held != null)
            {
                byte[] late = held;
                held = null;
                return new[] { chunk, late };
            }

            return new[] { chunk };
        };
        var sent = Enumerable.Range(0, 50).Select(i => Enumerable.Repeat((byte)i, 1 + (i * 11 % 300)).ToArray()).ToList();
        int next = 0;
        p.Run(() =>
        {
            while (next < sent.Count && p.A.TrySend(0x03, sent[next], 0, sent[next].Length)) next++;
            return p.SinkB.Messages.Count == sent.Count;
        });
        Assert.Equal(sent, p.SinkB.Messages.Select(m => m.Payload));
        Assert.True(p.B.Counters.OutOfOrder + p.B.Counters.Duplicates > 0);
    }

    [Fact]
    public void Garbage_between_frames_including_sync_bytes_is_skipped()
    {
        var p = new Pair();
        var random = new Random(3);
        p.Pipe.A.Fault = chunk =>
        {
            byte[] junk = new byte[random.Next(0, 40)];
            random.NextBytes(junk);
            if (junk.Length > 3)
            {
                junk[1] = Frame.Sync0;
                junk[2] = Frame.Sync1;
            }

            return new[] { junk, chunk };
        };
        var sent = Enumerable.Range(0, 30).Select(i => Enumerable.Repeat((byte)(i * 3), 50 + i).ToArray()).ToList();
        int next = 0;
        p.Run(() =>
        {
            while (next < sent.Count && p.A.TrySend(0x03, sent[next], 0, sent[next].Length)) next++;
            return p.SinkB.Messages.Count == sent.Count;
        });
        Assert.Equal(sent, p.SinkB.Messages.Select(m => m.Payload));
        Assert.True(p.B.Counters.GarbageBytes > 0);
    }

    [Fact]
    public void A_message_over_the_receivers_limit_is_dropped_whole_and_reported()
    {
        var o = new LinkOptions { SlotSize = 1000 };
        var small = new LinkOptions { MaxMessageSize = 300 };
        var pipe = new SerialPipe();
        var clock = new FakeClock();
        var a = new Sink();
        var b = new Sink();
        var la = new EnrollerLink(pipe.A, clock, a, o);
        var lb = new EnrollerLink(pipe.B, clock, b, small);
        Assert.True(la.TrySend(0x03, new byte[1000], 0, 1000));
        Assert.True(la.TrySend(0x04, new byte[] { 9 }, 0, 1));
        for (int i = 0; i < 200; i++)
        {
            la.Poll();
            lb.Poll();
            clock.Advance(10);
        }

        Assert.Equal(1, b.TooLarge);
        Assert.Single(b.Messages);
        Assert.Equal(new byte[] { 9 }, b.Messages[0].Payload);
    }

    [Fact]
    public void A_sender_gives_up_after_the_retry_limit()
    {
        var pipe = new SerialPipe();
        var clock = new FakeClock();
        var sink = new Sink();
        pipe.A.Fault = _ => Array.Empty<byte[]>(); // a dead wire
        var link = new EnrollerLink(pipe.A, clock, sink, new LinkOptions { MaxRetries = 5, AckTimeoutMilliseconds = 100 });
        Assert.True(link.TrySend(0x05, new byte[] { 1 }, 0, 1));
        for (int i = 0; i < 100; i++)
        {
            link.Poll();
            clock.Advance(10);
        }

        Assert.Equal(1, sink.Failed);
        Assert.Equal(5, link.Counters.Retransmissions);
        Assert.True(link.IsIdle);
    }

    [Fact]
    public void Frames_of_an_unknown_version_are_neither_acknowledged_nor_delivered()
    {
        var pipe = new SerialPipe();
        var clock = new FakeClock();
        var sink = new Sink();
        var link = new EnrollerLink(pipe.B, clock, sink, new LinkOptions());
        byte[] frame = new byte[Frame.MaxFrameSize];
        int n = Frame.Encode(2, 0x04, 0, 0, frame, 0, 0, frame, 0);
        pipe.B.Inject(frame[..n]);
        link.Poll();
        Assert.Empty(sink.Messages);
        Assert.Equal(1, link.Counters.UnsupportedVersion);
        Assert.Equal(0, pipe.B.BytesWritten);
    }

    [Fact]
    public void A_multi_fragment_hello_reply_is_one_message_and_a_restarted_sender_still_gets_through()
    {
        var p = new Pair();
        byte[] big = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        Assert.True(p.A.TrySend(EnrollerLink.TypeHelloReply, big, 0, big.Length));
        p.Run(() => p.SinkB.Messages.Count == 1);
        Assert.Equal(big, p.SinkB.Messages[0].Payload);

        // The sender restarts halfway through another HelloReply: the receiver holds a partial message.
        var pipe = p.Pipe;
        int frames = 0;
        pipe.A.Fault = chunk => ++frames == 2 ? Array.Empty<byte[]>() : new[] { chunk }; // lose fragment 2
        var first = new EnrollerLink(pipe.A, p.Clock, new Sink(), new LinkOptions { MaxRetries = 0, SlotSize = 400 });
        first.TrySend(EnrollerLink.TypeHelloReply, big, 0, big.Length);
        for (int i = 0; i < 50; i++) { first.Poll(); p.B.Poll(); p.Clock.Advance(10); }
        pipe.A.Fault = null;
        var restarted = new EnrollerLink(pipe.A, p.Clock, new Sink(), new LinkOptions { SlotSize = 400 });
        restarted.TrySend(EnrollerLink.TypeHelloReply, big, 0, 200);
        for (int i = 0; i < 200; i++) { restarted.Poll(); p.B.Poll(); p.Clock.Advance(10); }
        Assert.Equal(2, p.SinkB.Messages.Count);
        Assert.Equal(big[..200], p.SinkB.Messages[1].Payload);
    }

    [Fact]
    public void Hello_restarts_the_receivers_sequence_so_a_restarted_peer_is_heard()
    {
        var p = new Pair();
        for (int i = 0; i < 5; i++)
        {
            p.A.TrySend(0x03, new byte[] { (byte)i }, 0, 1);
        }

        p.Run(() => p.SinkB.Messages.Count == 5);

        // The peer restarts: a new link whose sequence starts again from 0.
        var restarted = new EnrollerLink(p.Pipe.A, p.Clock, p.SinkA, new LinkOptions());
        restarted.TrySend(EnrollerLink.TypeHello, new byte[] { 1, 1 }, 0, 2);
        restarted.TrySend(0x04, Array.Empty<byte>(), 0, 0);
        for (int i = 0; i < 100; i++)
        {
            restarted.Poll();
            p.B.Poll();
            p.Clock.Advance(10);
        }

        Assert.Equal(7, p.SinkB.Messages.Count);
        Assert.Equal(0x04, p.SinkB.Messages[^1].Type);
    }
}
