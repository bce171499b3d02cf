using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

/// <summary>
/// Random and mutated inputs to every function that reads bytes from the network: each must answer with a
/// status (or false) and never throw, whatever it is fed. Mutations start from genuine messages so that the
/// deeper checks (window, AEAD, DH, signatures) are reached, not only the size checks.
/// </summary>
public class RobustnessTests
{
    private const string DeviceId = "dev-0001";

    private static byte[] Mutate(Random rng, byte[] genuine)
    {
        var b = genuine.ToList();
        int edits = 1 + rng.Next(4);
        for (int i = 0; i < edits; i++)
        {
            switch (rng.Next(4))
            {
                case 0 when b.Count > 0: b[rng.Next(b.Count)] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when b.Count > 0: b[rng.Next(b.Count)] = (byte)rng.Next(256); break;
                case 2 when b.Count > 0: b.RemoveRange(rng.Next(b.Count), 1); break;
                default: b.Insert(rng.Next(b.Count + 1), (byte)rng.Next(256)); break;
            }
        }

        return b.ToArray();
    }

    private static IEnumerable<byte[]> Inputs(Random rng, byte[] genuine, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 4 == 0)
            {
                var random = new byte[rng.Next(SessionConstants.MaxFrameSize + 40)];
                rng.NextBytes(random);
                if (random.Length > 1 && rng.Next(2) == 0)
                {
                    random[0] = genuine[0]; // right type and version, random rest: passes the first checks
                    random[1] = 1;
                }

                yield return random;
            }
            else
            {
                var mutated = Mutate(rng, genuine);
                if (!mutated.AsSpan().SequenceEqual(genuine)) // a delete and an insert can restore the original
                    yield return mutated;
            }
        }
    }

    [Fact]
    public void Channel_readers_only_ever_answer_with_a_status()
    {
        var rng = new Random(20261128);
        var pair = ChannelPair.Random();
        var genuine = ChannelPair.Seal(pair.ServiceSender, ChannelMessageType.Command, RandomNumberGenerator.GetBytes(40));
        var plain = new byte[SessionConstants.MaxFrameSize + 64];
        int accepted = 0;
        foreach (var input in Inputs(rng, genuine, 20000))
        {
            var status = pair.DeviceReceiver.Open(input, 0, input.Length, plain, 0, out _, out int n, out _);
            Assert.True(Enum.IsDefined(status));
            if (status == ChannelOpenStatus.Accepted)
            {
                accepted++;
                Assert.Equal(genuine, input); // only the genuine frame (once) can be accepted
            }

            ChannelFrame.TryReadHeader(input, 0, input.Length, out _, out _, out _);
            ChannelPayloads.TryReadCommand(input, 0, input.Length, out _, out _, out _);
            ChannelPayloads.TryReadAcknowledgement(input, 0, input.Length, out _, out _, out _, out _);
            ChannelPayloads.TryReadRevocation(input, 0, input.Length, out _, out _);
            ChannelPayloads.TryReadRotationResult(input, 0, input.Length, out _, out _);
        }

        Assert.True(accepted <= 1);
    }

    [Fact]
    public void Handshake_and_rotation_readers_only_ever_answer_with_a_status()
    {
        var rng = new Random(42);
        var s = SodiumPrimitives.Instance;
        var ikAPrivate = RandomNumberGenerator.GetBytes(32);
        var ikBPrivate = RandomNumberGenerator.GetBytes(32);
        var ikA = Libsodium.Public(ikAPrivate);
        var ikB = Libsodium.Public(ikBPrivate);
        var initiator = RekeyInitiator.Start(s, ikBPrivate, ikA, DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Boot);
        Assert.Equal(RekeyStatus.Completed, RekeyResponder.Respond(s, ikAPrivate, ikB, DeviceId, initiator.InitMessage, 0, 35, RandomNumberGenerator.GetBytes(32), 1, out var responder));
        var probe = RekeyInitiator.Start(s, ikBPrivate, ikA, DeviceId, RandomNumberGenerator.GetBytes(32), RekeyReason.Boot);
        Assert.Equal(RekeyStatus.BadConfirmation, probe.Finish(responder!.ResponseMessage, 0, 54, 0, out _, out _)); // answers another e_B
        var rotation = IdentityRotation.CreateRequest(s, ikA, ikBPrivate, RandomNumberGenerator.GetBytes(32), DeviceId, new byte[64], new byte[64]);
        var confirmShape = new byte[] { 0x22, 1, 0, 0, 0, 1 }.Concat(new byte[16]).ToArray();

        foreach (var input in Inputs(rng, initiator.InitMessage, 1500))
            Assert.True(Enum.IsDefined(RekeyResponder.Respond(s, ikAPrivate, ikB, DeviceId, input, 0, input.Length, RandomNumberGenerator.GetBytes(32), 1, out _)));
        foreach (var input in Inputs(rng, responder.ResponseMessage, 1500))
            Assert.NotEqual(RekeyStatus.Completed, initiator.Finish(input, 0, input.Length, 0, out _, out _));
        foreach (var input in Inputs(rng, confirmShape, 3000))
        {
            Assert.NotEqual(RekeyStatus.Completed, responder.Confirm(input, 0, input.Length, out _));
            Assert.NotEqual(RekeyStatus.Completed, responder.ConfirmWithFrame(input, 0, input.Length, out _));
        }

        foreach (var input in Inputs(rng, rotation, 1500))
        {
            var status = IdentityRotation.Verify(s, ikA, ikB, DeviceId, input, 0, input.Length, out _);
            Assert.True(Enum.IsDefined(status));
            Assert.True(status != RotationStatus.Valid || input.SequenceEqual(rotation));
        }

        // The genuine exchange still completes after all that noise.
        Assert.Equal(RekeyStatus.Completed, initiator.Finish(responder.ResponseMessage, 0, 54, 0, out var confirm, out _));
        Assert.Equal(RekeyStatus.Completed, responder.Confirm(confirm!, 0, 22, out _));
    }
}
