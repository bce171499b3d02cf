using Enrollment.Enrollee.Ports;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// <see cref="IEnrolleeProtocol"/> over the protocol's enrollee-side functions (docs/protocol.md section
    /// 10: <see cref="EnrolleeHandshake"/>). The attempt state it persists is
    /// <c>EK_B public (32) || SK (32)</c>; the session record is <c>K_up (32) || K_down (32) || outcome</c>
    /// (docs/protocol.md sections 12 and 13), after which SK is erased.
    /// </summary>
    public sealed class ProtocolAdapter : IEnrolleeProtocol
    {
        /// <summary>Size of the persisted attempt state: EK_B public and SK.</summary>
        public const int AttemptStateSize = 2 * ProtocolConstants.KeySize;

        private readonly IX3dhPrimitives _primitives;
        private readonly byte[]? _pinnedServiceKey;

        /// <summary>The device's adapter: this project's X25519/XEdDSA, no pinned service key.</summary>
        public ProtocolAdapter()
            : this(DefaultX3dhPrimitives.Instance, null)
        {
        }

        /// <param name="primitives">X25519 and XEdDSA.</param>
        /// <param name="pinnedServiceKey">Optional trust anchor (docs/protocol.md section 15): the only IK_A to accept.</param>
        public ProtocolAdapter(IX3dhPrimitives primitives, byte[]? pinnedServiceKey)
        {
            if (primitives == null)
            {
                throw new System.ArgumentNullException("primitives");
            }

            if (pinnedServiceKey != null && pinnedServiceKey.Length != ProtocolConstants.KeySize)
            {
                throw new System.ArgumentException("32 bytes", "pinnedServiceKey");
            }

            _primitives = primitives;
            _pinnedServiceKey = pinnedServiceKey;
        }

        public int MaxMessageSize
        {
            get { return EnrollmentMessage.Size; }
        }

        public void MakePublicKey(byte[] privateKey, byte[] publicKey)
        {
            _primitives.PublicKey(privateKey, 0, publicKey, 0);
        }

        public int MakeEnrolleeId(byte[] eikPublic, byte[] id)
        {
            byte[] hash = EnrolleeId.Compute(eikPublic);
            System.Array.Copy(hash, 0, id, 0, EnrolleeId.Size);
            return EnrolleeId.Size;
        }

        public bool ReadBundle(byte[] bundle, int count, long nowUnixSeconds, byte[] enrolleeId, int enrolleeIdLength,
            BundleInfo info)
        {
            EnrollmentBundle? b;
            if (!EnrollmentBundle.TryDecode(bundle, 0, count, out b) || b == null)
            {
                return false;
            }

            if (nowUnixSeconds > 0 && (nowUnixSeconds >= b.ExpiresAt || nowUnixSeconds >= b.SignedPreKeyExpiresAt))
            {
                return false;
            }

            if (_pinnedServiceKey != null && !FixedTime.Equals(_pinnedServiceKey, 0, b.IdentityKey, 0, ProtocolConstants.KeySize))
            {
                return false;
            }

            // X3DH section 3.3: verify the prekey signature before anything is built on the bundle.
            byte[] input = EnrollmentBundle.BuildSpkSigningInput(b.SignedPreKeyId, b.SignedPreKey, b.SignedPreKeyExpiresAt);
            if (!_primitives.Verify(b.IdentityKey, 0, input, 0, input.Length, b.SignedPreKeySignature, 0))
            {
                return false;
            }

            ServiceAddress a = b.Address;
            MqttSettings m = info.Mqtt;
            m.Host = a.Host;
            m.Port = a.Port;
            m.UseTls = a.UseTls;
            m.CaKind = (byte)a.CaKind;
            m.CaData = a.CaData ?? new byte[0];
            m.User = null;
            m.Password = null;
            string idText = EnrolleeId.ToText(enrolleeId, 0);
            info.RequestTopic = a.RequestTopicFor(idText);
            info.ResultTopic = a.ResultTopicFor(idText);
            return true;
        }

        public int BuildMessage(byte[] bundle, int bundleCount, long nowUnixSeconds, byte[] eikPrivate, byte[] ekPrivate,
            byte[] ikPrivate, byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState,
            out int attemptStateLength)
        {
            attemptStateLength = 0;
            EnrollmentBundle? b;
            if (!EnrollmentBundle.TryDecode(bundle, 0, bundleCount, out b) || b == null)
            {
                return BuildFailure.Rejected;
            }

            EnrollmentAttempt? attempt;
            EnrolleeStatus status = EnrolleeHandshake.CreateMessage(b, eikPrivate, ekPrivate, ikPrivate, signatureRandom,
                nowUnixSeconds, _pinnedServiceKey, _primitives, out attempt);
            if (status != EnrolleeStatus.Created || attempt == null)
            {
                return status == EnrolleeStatus.Expired ? BuildFailure.Expired : BuildFailure.Rejected;
            }

            try
            {
                System.Array.Copy(attempt.Message, 0, message, 0, attempt.Message.Length);
                System.Array.Copy(attempt.IdentityPublicKey, 0, ikPublic, 0, ProtocolConstants.KeySize);
                System.Array.Copy(attempt.EphemeralPublicKey, 0, attemptState, 0, ProtocolConstants.KeySize);
                System.Array.Copy(attempt.SharedSecret, 0, attemptState, ProtocolConstants.KeySize, ProtocolConstants.KeySize);
                attemptStateLength = AttemptStateSize;
                return attempt.Message.Length;
            }
            finally
            {
                attempt.Clear();
            }
        }

        public bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count,
            EnrollmentResult into)
        {
            if (attemptStateLength != AttemptStateSize || count < 2 || offset < 0 || offset + count > result.Length)
            {
                return false;
            }

            byte[] ek = new byte[ProtocolConstants.KeySize];
            System.Array.Copy(attemptState, 0, ek, 0, ek.Length);
            if (result[offset] == (byte)MessageType.Notice)
            {
                return ReadNotice(ek, result, offset, count, into);
            }

            byte[] sk = new byte[ProtocolConstants.KeySize];
            System.Array.Copy(attemptState, ProtocolConstants.KeySize, sk, 0, sk.Length);
            try
            {
                EnrollmentOutcome? outcome;
                if (EnrolleeHandshake.OpenResult(sk, ek, result, offset, count, out outcome) != ResultStatus.Opened
                    || outcome == null)
                {
                    return false;
                }

                into.IsNotice = false;
                into.RetryAfterSeconds = (int)outcome.RetryAfterSeconds;
                into.Outcome = Map(outcome.Status);
                if (outcome.IsAccepted)
                {
                    string id = outcome.DeviceId!;
                    for (int i = 0; i < id.Length; i++)
                    {
                        into.DeviceId[i] = (byte)id[i]; // ASCII by the protocol's device id class
                    }

                    into.DeviceIdLength = id.Length;
                    SessionKeys keys = SessionKeys.Derive(sk);
                    System.Array.Copy(keys.Up, 0, into.Session, 0, ProtocolConstants.KeySize);
                    System.Array.Copy(keys.Down, 0, into.Session, ProtocolConstants.KeySize, ProtocolConstants.KeySize);
                    keys.Clear();
                    into.SessionLength = (2 * ProtocolConstants.KeySize)
                        + outcome.Encode(into.Session, 2 * ProtocolConstants.KeySize);
                }

                return true;
            }
            finally
            {
                FixedTime.Zero(sk);
            }
        }

        private static bool ReadNotice(byte[] ek, byte[] result, int offset, int count, EnrollmentResult into)
        {
            EnrollmentNotice? notice;
            if (!EnrollmentNotice.TryDecode(result, offset, count, out notice) || notice == null
                || !FixedTime.Equals(notice.EphemeralKey, 0, ek, 0, ProtocolConstants.KeySize))
            {
                return false;
            }

            into.IsNotice = true;
            into.Outcome = notice.Status == EnrollmentStatus.Busy ? EnrollmentResult.Busy : EnrollmentResult.Rejected;
            into.RetryAfterSeconds = (int)notice.RetryAfterSeconds;
            return true;
        }

        private static int Map(EnrollmentStatus status)
        {
            switch (status)
            {
                case EnrollmentStatus.Accepted: return EnrollmentResult.Accepted;
                case EnrollmentStatus.Busy: return EnrollmentResult.Busy;
                case EnrollmentStatus.Expired: return EnrollmentResult.Expired;
                case EnrollmentStatus.Unknown: return EnrollmentResult.Unknown;
                case EnrollmentStatus.Replayed: return EnrollmentResult.Replayed;
                case EnrollmentStatus.Malformed: return EnrollmentResult.Malformed;
                default: return EnrollmentResult.Rejected;
            }
        }
    }
}
