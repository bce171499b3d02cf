namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// The seam between the state machine and the enrollment protocol (docs/protocol.md): the enrollee-side
    /// pure functions of shared/Enrollment.Protocol, behind an interface so that the state machine can be
    /// tested on its own and the protocol swapped without touching it. No I/O happens behind it.
    /// All keys are X25519 keys of 32 bytes (RFC 7748).
    /// </summary>
    public interface IEnrolleeProtocol
    {
        /// <summary>publicKey = X25519(privateKey, 9) (RFC 7748 section 6.1).</summary>
        void MakePublicKey(byte[] privateKey, byte[] publicKey);

        /// <summary>Writes the enrollee id (the protocol's hash of EIK_B) and returns its length.</summary>
        int MakeEnrolleeId(byte[] eikPublic, byte[] id);

        /// <summary>
        /// Decodes a bundle and verifies the signature over SPK_A as X3DH requires; fills the service address.
        /// False if the bundle is malformed, unsupported or its signature does not verify.
        /// </summary>
        bool ReadBundle(byte[] bundle, int count, byte[] enrolleeId, int enrolleeIdLength, BundleInfo info);

        /// <summary>
        /// Builds the enrollment message for one attempt with the given ephemeral key EK_B, new identity key
        /// IK_B and 64 random bytes for the XEdDSA signature. Writes the message into
        /// <paramref name="message"/> and returns its length; writes the state needed later to read the
        /// result and derive the session keys into <paramref name="attemptState"/> and its length into
        /// <paramref name="attemptStateLength"/>. The caller zeroes EK_B after the call.
        /// </summary>
        int BuildMessage(byte[] bundle, int bundleCount, byte[] eikPrivate, byte[] eikPublic, byte[] ekPrivate,
            byte[] ikPrivate, byte[] ikPublic, byte[] signatureRandom, byte[] message, byte[] attemptState,
            out int attemptStateLength);

        /// <summary>
        /// Reads a result published for this enrollee with the state of the attempt it answers. False if it
        /// is not an authentic result for that attempt (another attempt's, forged or damaged): ignore it.
        /// </summary>
        bool ReadResult(byte[] attemptState, int attemptStateLength, byte[] result, int offset, int count,
            EnrollmentResult into);

        /// <summary>Largest enrollment message <see cref="BuildMessage"/> writes.</summary>
        int MaxMessageSize { get; }
    }

    /// <summary>Where and how to reach the service, from the bundle.</summary>
    public sealed class BundleInfo
    {
        public string Host = string.Empty;
        public int Port;
        public bool UseTls;

        /// <summary>The broker's CA certificate as carried by the bundle (may be empty: use the device's store).</summary>
        public byte[] CaCertificate = new byte[0];

        public string EnrollmentTopic = string.Empty;
        public string ResultTopic = string.Empty;
        public string? MqttUser;
        public string? MqttPassword;
    }

    /// <summary>The outcome of an authentic result (docs/protocol.md, enrollment result).</summary>
    public sealed class EnrollmentResult
    {
        public const int Accepted = 1;
        public const int Busy = 2;
        public const int Expired = 3;
        public const int Unknown = 4;
        public const int Replayed = 5;
        public const int Malformed = 6;

        public int Outcome;

        /// <summary>With <see cref="Busy"/>: seconds the service asks the device to wait.</summary>
        public int RetryAfterSeconds;

        public readonly byte[] DeviceId = new byte[Messages.Limits.MaxDeviceId];
        public int DeviceIdLength;

        /// <summary>With <see cref="Accepted"/>: the session keys and counters, in the protocol's encoding.</summary>
        public readonly byte[] Session = new byte[State.DeviceRecord.MaxSession];
        public int SessionLength;

        public void Clear()
        {
            Outcome = 0;
            RetryAfterSeconds = 0;
            System.Array.Clear(DeviceId, 0, DeviceId.Length);
            DeviceIdLength = 0;
            System.Array.Clear(Session, 0, Session.Length);
            SessionLength = 0;
        }
    }
}
