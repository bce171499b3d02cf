namespace Enrollment.Protocol.X3dh
{
    /// <summary>What <see cref="EnrolleeHandshake.CreateMessage(Enrollment.Protocol.Messages.EnrollmentBundle, byte[], byte[], byte[], byte[], long, byte[], IX3dhPrimitives, out EnrollmentAttempt)"/> concluded.</summary>
    public enum EnrolleeStatus
    {
        /// <summary>The enrollment message was built.</summary>
        Created = 0,

        /// <summary>The bundle or its signed prekey has expired at the given time.</summary>
        Expired = 1,

        /// <summary>A pinned service identity key was given and the bundle's IK_A differs from it.</summary>
        UntrustedServiceKey = 2,

        /// <summary>The XEdDSA signature of SPK_A by IK_A does not verify (X3DH section 3.3: abort).</summary>
        BadSignedPreKeySignature = 3,

        /// <summary>A DH output was all zero: a bundle key is a low-order point.</summary>
        InvalidKey = 4,
    }

    /// <summary>What <see cref="ServiceHandshake.Open(Enrollment.Protocol.Messages.EnrollmentMessage, byte[], byte[], byte[], byte[], byte[], IX3dhPrimitives, out EnrolledIdentity)"/> concluded.</summary>
    public enum OpenStatus
    {
        /// <summary>Decrypted and the IK_B signature verified: the identity is the enrollee's.</summary>
        Opened = 0,

        /// <summary>The header's enrollee id is not SHA-256 of the expected EIK_B.</summary>
        IdentityMismatch = 1,

        /// <summary>A DH output was all zero: EK_B (or the stored EIK_B) is a low-order point.</summary>
        InvalidKey = 2,

        /// <summary>The AEAD tag did not verify (wrong keys, wrong address, tampered header or body).</summary>
        DecryptionFailed = 3,

        /// <summary>The body decrypted but IK_B's XEdDSA signature over EIK_B and h does not verify.</summary>
        BadSignature = 4,
    }

    /// <summary>What <see cref="EnrolleeHandshake.OpenResult"/> concluded.</summary>
    public enum ResultStatus
    {
        /// <summary>The sealed result was authentic; the outcome is set.</summary>
        Opened = 0,

        /// <summary>Not a well-formed result message (format error).</summary>
        Malformed = 1,

        /// <summary>Well-formed, but it answers another attempt (different EK_B): ignore it.</summary>
        OtherAttempt = 2,

        /// <summary>The tag did not verify, or the authentic plaintext was not a valid outcome: ignore it.</summary>
        AuthenticationFailed = 3,
    }
}
