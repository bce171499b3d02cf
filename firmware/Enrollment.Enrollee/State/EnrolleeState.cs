namespace Enrollment.Enrollee.State
{
    /// <summary>
    /// The persisted states of the enrollee (docs/serial-protocol.md section 6 and the state diagram there).
    /// Values are stored on flash and sent over the link: never renumber.
    /// </summary>
    public static class EnrolleeState
    {
        /// <summary>No identity yet (first boot or after a factory reset); nothing on flash.</summary>
        public const byte Fresh = 0;

        /// <summary>EIK_B made and stored; waiting for a bundle from an enroller.</summary>
        public const byte IdentityReady = 1;

        /// <summary>Bundle and Wi-Fi settings stored; the first attempt has not been persisted yet.</summary>
        public const byte BundleReceived = 2;

        /// <summary>An attempt (its EK_B-derived state) is persisted; waiting for the service's result.</summary>
        public const byte Enrolling = 3;

        /// <summary>IK_B, the device id and the session keys are stored.</summary>
        public const byte Enrolled = 4;

        /// <summary>The service revoked this device; only a factory reset leaves this state.</summary>
        public const byte Revoked = 5;

        public static string Name(byte state)
        {
            switch (state)
            {
                case Fresh: return "fresh";
                case IdentityReady: return "identity-ready";
                case BundleReceived: return "bundle-received";
                case Enrolling: return "enrolling";
                case Enrolled: return "enrolled";
                case Revoked: return "revoked";
                default: return "unknown";
            }
        }
    }

    /// <summary>
    /// What the enrollee is doing or how its last attempt ended; sent in Status and HelloReply and stored
    /// with the state. Values are on the wire: never renumber.
    /// </summary>
    public static class StatusCode
    {
        public const byte None = 0;
        public const byte WaitingForEntropy = 1;
        public const byte WaitingForBundle = 2;
        public const byte BundleStored = 3;
        public const byte WifiConnecting = 4;
        public const byte WifiFailed = 5;
        public const byte BrokerConnecting = 6;
        public const byte BrokerFailed = 7;
        public const byte Computing = 8;
        public const byte AwaitingResult = 9;
        public const byte RetryScheduled = 10;
        public const byte Enrolled = 11;

        /// <summary>Final: the service no longer accepts this bundle (expired).</summary>
        public const byte RejectedExpired = 12;

        /// <summary>Final: the service does not know this enrollee (not registered, or registration lapsed).</summary>
        public const byte RejectedUnknown = 13;

        /// <summary>Final: the service saw this ephemeral key or one-time prekey before.</summary>
        public const byte RejectedReplayed = 14;

        /// <summary>Final: the service could not read the message.</summary>
        public const byte RejectedMalformed = 15;

        /// <summary>Final: no result after every attempt; the bundle is dropped.</summary>
        public const byte NoResult = 16;

        public const byte Revoked = 17;
        public const byte StorageFailed = 18;

        /// <summary>The stored bundle no longer reads (firmware changed); the bundle is dropped.</summary>
        public const byte BundleUnreadable = 19;

        /// <summary>The service sent an unauthenticated "rejected" notice; still waiting for a sealed result.</summary>
        public const byte RejectedNotice = 20;

        /// <summary>Final: the bundle expired, or does not verify, when an attempt was made.</summary>
        public const byte BundleRejected = 21;

        public static bool IsFinalFailure(byte code)
        {
            return (code >= RejectedExpired && code <= NoResult) || code == BundleUnreadable || code == BundleRejected;
        }

        public static string Name(byte code)
        {
            switch (code)
            {
                case None: return "none";
                case WaitingForEntropy: return "waiting-for-entropy";
                case WaitingForBundle: return "waiting-for-bundle";
                case BundleStored: return "bundle-stored";
                case WifiConnecting: return "wifi-connecting";
                case WifiFailed: return "wifi-failed";
                case BrokerConnecting: return "broker-connecting";
                case BrokerFailed: return "broker-failed";
                case Computing: return "computing";
                case AwaitingResult: return "awaiting-result";
                case RetryScheduled: return "retry-scheduled";
                case Enrolled: return "enrolled";
                case RejectedExpired: return "rejected-expired";
                case RejectedUnknown: return "rejected-unknown";
                case RejectedReplayed: return "rejected-replayed";
                case RejectedMalformed: return "rejected-malformed";
                case NoResult: return "no-result";
                case Revoked: return "revoked";
                case StorageFailed: return "storage-failed";
                case BundleUnreadable: return "bundle-unreadable";
                case RejectedNotice: return "rejected-notice";
                case BundleRejected: return "bundle-rejected";
                default: return "code-" + code.ToString();
            }
        }
    }
}
