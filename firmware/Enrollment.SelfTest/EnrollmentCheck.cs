using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.SelfTest
{
    /// <summary>
    /// One complete enrollment in memory (docs/protocol.md sections 10-13): a service makes a bundle, the
    /// enrollee builds its message from it, the service opens it and seals an acceptance, the enrollee
    /// reads it, and both derive the same session keys. Keys are fixed test values, never real ones.
    /// </summary>
    internal sealed class EnrollmentCheck
    {
        private const long Now = 1800000000;          // 2027-01-15
        private const long Expiry = 4102444800;       // 2100-01-01
        private const uint SignedPreKeyId = 7;
        private const uint OneTimePreKeyId = 9;

        private readonly ISelfTestClock _clock;

        public EnrollmentCheck(ISelfTestClock clock)
        {
            _clock = clock;
        }

        /// <summary>Time the enrollee side took (bundle decode, SPK check, message): what a device pays.</summary>
        public long EnrolleeTicks { get; private set; }

        public bool Run()
        {
            IX3dhPrimitives p = DefaultX3dhPrimitives.Instance;

            // Service keys and bundle.
            byte[] ikA = Key(0x11);
            byte[] spkA = Key(0x22);
            byte[] opkA = Key(0x33);
            byte[] spkInput = EnrollmentBundle.BuildSpkSigningInput(SignedPreKeyId, Public(p, spkA), Expiry);
            byte[] spkSignature = new byte[64];
            p.Sign(ikA, 0, spkInput, 0, spkInput.Length, Key(0x44, 64), 0, spkSignature, 0);
            ServiceAddress address = new ServiceAddress("broker.local", 8883, true, CaKind.None, null,
                ServiceAddress.DefaultRequestTopic, ServiceAddress.DefaultResultTopicPrefix);
            EnrollmentBundle issued = new EnrollmentBundle(Key(0x55, 16), Expiry, Public(p, ikA), SignedPreKeyId, Expiry,
                Public(p, spkA), spkSignature, OneTimePreKeyId, Public(p, opkA), address);
            byte[] bundleBytes = issued.Encode();

            // Enrollee: what the device does with the bytes it got from the enroller.
            byte[] eikB = Key(0x66);
            long t0 = _clock.Ticks;
            EnrollmentBundle? bundle;
            EnrollmentAttempt? attempt;
            if (!EnrollmentBundle.TryDecode(bundleBytes, 0, bundleBytes.Length, out bundle) || bundle == null
                || EnrolleeHandshake.CreateMessage(bundle, eikB, Key(0x77), Key(0x88), Key(0x99, 64), Now, null, p, out attempt)
                    != EnrolleeStatus.Created
                || attempt == null)
            {
                return false;
            }

            EnrolleeTicks = _clock.Ticks - t0;

            // Service: open, check the identity, seal an acceptance.
            EnrollmentMessage? message;
            EnrolledIdentity? identity;
            if (!EnrollmentMessage.TryDecode(attempt.Message, 0, attempt.Message.Length, out message) || message == null
                || ServiceHandshake.Open(message, ikA, spkA, opkA, Public(p, eikB), address.Encode(), p, out identity)
                    != OpenStatus.Opened
                || identity == null
                || !Hex.Equal(identity.IdentityKey, attempt.IdentityPublicKey))
            {
                return false;
            }

            EnrollmentOutcome accepted = EnrollmentOutcome.Accepted("selftest-1", "dev/v1/selftest-1/", Hex.Ascii("selftest-1"), Key(0xAA, 20), 0, 0);
            byte[] result = ServiceHandshake.SealResult(identity.SharedSecret, message.EphemeralKey, accepted, Key(0xBB, 12));

            // Enrollee: read the result, derive the session keys; both sides must agree.
            EnrollmentOutcome? outcome;
            if (EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, result, 0, result.Length, out outcome)
                    != ResultStatus.Opened
                || outcome == null || !outcome.IsAccepted || outcome.DeviceId != "selftest-1")
            {
                return false;
            }

            SessionKeys device = SessionKeys.Derive(attempt.SharedSecret);
            SessionKeys service = SessionKeys.Derive(identity.SharedSecret);
            bool same = Hex.Equal(device.Up, service.Up) && Hex.Equal(device.Down, service.Down) && !Hex.Equal(device.Up, device.Down);
            device.Clear();
            service.Clear();
            attempt.Clear();
            identity.Clear();
            return same;
        }

        private static byte[] Public(IX3dhPrimitives p, byte[] privateKey)
        {
            byte[] publicKey = new byte[32];
            p.PublicKey(privateKey, 0, publicKey, 0);
            return publicKey;
        }

        private static byte[] Key(int seed)
        {
            return Key(seed, 32);
        }

        /// <summary>A fixed test value: seed, seed+1, ... (mod 256).</summary>
        private static byte[] Key(int seed, int length)
        {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++)
            {
                b[i] = (byte)(seed + i);
            }

            return b;
        }
    }
}
