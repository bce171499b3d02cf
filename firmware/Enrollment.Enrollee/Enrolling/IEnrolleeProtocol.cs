using Enrollment.Enrollee.Ports;

namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// The seam between the state machine and the enrollment protocol (docs/protocol.md): the enrollee-side
    /// pure functions of shared/Enrollment.Protocol (<see cref="ProtocolAdapter"/>), behind an interface so
    /// that the state machine is tested on its own. No I/O happens behind it. Keys are 32-byte X25519 keys.
    /// </summary>
    public interface IEnrolleeProtocol
    {
        /// <summary>publicKey = X25519(privateKey, 9) (RFC 7748 section 6.1).</summary>
        void MakePublicKey(byte[] privateKey, byte[] publicKey);

        /// <summary>Writes the enrollee id (SHA-256 of EIK_B, docs/protocol.md section 4); returns its length.</summary>
        int MakeEnrolleeId(byte[] eikPublic, byte[] id);

        /// <summary>
        /// Decodes a bundle, verifies the XEdDSA signature over SPK_A (X3DH section 3.3) and, when
        /// <paramref name="nowUnixSeconds"/> is not 0, the expiries. Fills the service address and topics.
        /// False if the bundle is malformed, expired or badly signed.
        /// </summary>
        bool ReadBundle(byte[] bundle, int count, long nowUnixSeconds, byte[] enrolleeId, int enrolleeIdLength,
            BundleInfo info);

        /// <summary>
        /// Builds the enrollment message for one attempt with the ephemeral key EK_B, the new identity key
        /// IK_B (its public key is written to <paramref name="ikPublic"/>) and 64 random bytes for the XEdDSA
        /// signature. Returns the message length, or a negative <see cref="BuildFailure"/> code. Writes the
        /// state needed to read the answer and derive the session keys into <paramref name="attemptState"/>.
        /// The caller zeroes EK_B after the call.
        /// </summary>
        int BuildMessage(byte[] bundle, int bundleCount, long nowUnixSeconds, byte[] eikPrivate, byte[] ekPrivate,
            byte[] ikPrivate, byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState,
            out int attemptStateLength);

        /// <summary>
        /// Reads an answer from the result topic with the state of the attempt it should answer. False if it
        /// is not an answer to that attempt (another attempt's, forged, damaged): ignore it.
        /// </summary>
        bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count,
            EnrollmentResult into);

        /// <summary>Largest enrollment message <see cref="BuildMessage"/> writes.</summary>
        int MaxMessageSize { get; }
    }

    /// <summary>Why <see cref="IEnrolleeProtocol.BuildMessage"/> refused the bundle (negative return values).</summary>
    public static class BuildFailure
    {
        public const int Expired = -1;

        /// <summary>Bad SPK signature, a low-order key, or an IK_A other than the pinned one.</summary>
        public const int Rejected = -2;
    }

    /// <summary>Where and how to reach the service, from the bundle.</summary>
    public sealed class BundleInfo
    {
        public readonly MqttSettings Mqtt = new MqttSettings();
        public string RequestTopic = string.Empty;
        public string ResultTopic = string.Empty;
    }

    /// <summary>An answer to the current attempt (docs/protocol.md section 12).</summary>
    public sealed class EnrollmentResult
    {
        public const int Accepted = 1;
        public const int Busy = 2;
        public const int Expired = 3;
        public const int Unknown = 4;
        public const int Replayed = 5;
        public const int Malformed = 6;

        /// <summary>The generic rejection of an unauthenticated notice.</summary>
        public const int Rejected = 7;

        public int Outcome;

        /// <summary>
        /// True for a rejection notice: unauthenticated, so only a hint (busy delays the next retry; rejected
        /// is reported and the device keeps waiting for a sealed result until its timeout).
        /// </summary>
        public bool IsNotice;

        /// <summary>With <see cref="Busy"/>: seconds the service asks the device to wait (at most 86400).</summary>
        public int RetryAfterSeconds;

        public readonly byte[] DeviceId = new byte[Messages.Limits.MaxDeviceId];
        public int DeviceIdLength;

        /// <summary>With <see cref="Accepted"/>: session keys and operational parameters, for the record.</summary>
        public readonly byte[] Session = new byte[State.DeviceRecord.MaxSession];
        public int SessionLength;

        public void Clear()
        {
            Outcome = 0;
            IsNotice = false;
            RetryAfterSeconds = 0;
            System.Array.Clear(DeviceId, 0, DeviceId.Length);
            DeviceIdLength = 0;
            System.Array.Clear(Session, 0, Session.Length);
            SessionLength = 0;
        }
    }
}
