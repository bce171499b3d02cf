using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// What the enrollee keeps from one attempt: the message to publish, and the state needed to read the
    /// answer (EK_B, SK) and later derive the session keys (SK). SK is secret: persist it only as the
    /// firmware's key storage allows, and call <see cref="Clear"/> when done.
    /// </summary>
    public sealed class EnrollmentAttempt
    {
        internal EnrollmentAttempt(byte[] message, byte[] ephemeralPublicKey, byte[] identityPublicKey, byte[] enrolleeId, byte[] sharedSecret)
        {
            Message = message;
            EphemeralPublicKey = ephemeralPublicKey;
            IdentityPublicKey = identityPublicKey;
            EnrolleeId = enrolleeId;
            SharedSecret = sharedSecret;
        }

        /// <summary>The encoded enrollment message (<see cref="EnrollmentMessage.Size"/> bytes) to publish.</summary>
        public byte[] Message { get; }

        /// <summary>EK_B public: results and notices for this attempt echo it.</summary>
        public byte[] EphemeralPublicKey { get; }

        /// <summary>IK_B public: the long-term identity the service will record.</summary>
        public byte[] IdentityPublicKey { get; }

        /// <summary>SHA-256(EIK_B): the enrollee id (its text form names the result topic).</summary>
        public byte[] EnrolleeId { get; }

        /// <summary>SK (secret): opens the result and seeds the session keys.</summary>
        public byte[] SharedSecret { get; }

        /// <summary>Zeroes SK.</summary>
        public void Clear()
        {
            CryptoBinding.Zero(SharedSecret);
        }
    }

    /// <summary>The service's view of an opened enrollment message: the verified IK_B and SK.</summary>
    public sealed class EnrolledIdentity
    {
        internal EnrolledIdentity(byte[] identityKey, byte[] sharedSecret)
        {
            IdentityKey = identityKey;
            SharedSecret = sharedSecret;
        }

        /// <summary>IK_B public, proven by its XEdDSA signature over EIK_B and the transcript hash.</summary>
        public byte[] IdentityKey { get; }

        /// <summary>SK (secret): seals the result and seeds the session keys. Zero it when done.</summary>
        public byte[] SharedSecret { get; }

        /// <summary>Zeroes SK.</summary>
        public void Clear()
        {
            CryptoBinding.Zero(SharedSecret);
        }
    }
}
