using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Fuzz;

/// <summary>
/// Targets past the decoders: the service opening an enrollment message and the enrollee opening a result,
/// with fixed keys made at start-up. They fail when anything escapes, or when an input other than the one
/// genuine message or result opens (which would be a forgery). "seed" mode writes the genuine inputs.
/// </summary>
internal static class CryptoTargets
{
    private static readonly byte[] IkA = Key(1), SpkA = Key(2), OpkA = Key(3), EikB = Key(4), EkB = Key(5), IkB = Key(6);
    private static readonly ServiceAddress Address = new("127.0.0.1", 1883, false, CaKind.None, null, ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);
    private static readonly byte[] EikBPublic = Public(EikB);
    private static readonly EnrollmentAttempt Attempt = MakeAttempt();
    public static readonly byte[] GenuineMessage = Attempt.Message;
    public static readonly byte[] GenuineResult = ServiceHandshake.SealResult(Attempt.SharedSecret, Attempt.EphemeralPublicKey,
        EnrollmentOutcome.Accepted("fuzz", "dev/v1/fuzz/", [], [], 0, 0), new byte[12]);

    public static void OpenMessage(byte[] input)
    {
        if (!EnrollmentMessage.TryDecode(input, 0, input.Length, out var message))
            return;
        var status = ServiceHandshake.Open(message, IkA, SpkA, OpkA, EikBPublic, Address.Encode(), out _);
        if (status == OpenStatus.Opened && !input.AsSpan().SequenceEqual(GenuineMessage))
            throw new InvalidOperationException("a message other than the genuine one opened");
    }

    public static void OpenResult(byte[] input)
    {
        var status = EnrolleeHandshake.OpenResult(Attempt.SharedSecret, Attempt.EphemeralPublicKey, input, 0, input.Length, out _);
        if (status == ResultStatus.Opened && !input.AsSpan().SequenceEqual(GenuineResult))
            throw new InvalidOperationException("a result other than the genuine one opened");
    }

    private static EnrollmentAttempt MakeAttempt()
    {
        var spkPublic = Public(SpkA);
        var signature = XEdDsaSign(IkA, EnrollmentBundle.BuildSpkSigningInput(1, spkPublic, 2_000_000_000));
        var bundle = new EnrollmentBundle(new byte[16], 2_000_000_000, Public(IkA), 1, 2_000_000_000, spkPublic, signature, 2, Public(OpkA), Address);
        var status = EnrolleeHandshake.CreateMessage(bundle, EikB, EkB, IkB, new byte[64], 1_000_000_000, null, out var attempt);
        return status == EnrolleeStatus.Created ? attempt! : throw new InvalidOperationException(status.ToString());
    }

    private static byte[] Key(int seed) => Enumerable.Range(seed * 32, 32).Select(i => (byte)i).ToArray();

    private static byte[] Public(byte[] privateKey)
    {
        var pub = new byte[32];
        DefaultX3dhPrimitives.Instance.PublicKey(privateKey, 0, pub, 0);
        return pub;
    }

    private static byte[] XEdDsaSign(byte[] privateKey, byte[] message)
    {
        var sig = new byte[64];
        DefaultX3dhPrimitives.Instance.Sign(privateKey, 0, message, 0, message.Length, new byte[64], 0, sig, 0);
        return sig;
    }
}
