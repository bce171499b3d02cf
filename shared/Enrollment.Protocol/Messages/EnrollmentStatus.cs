namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// Outcome codes of an enrollment attempt (docs/protocol.md "Enrollment result"). A sealed result may
    /// carry any of them (only the holder of SK can read it); an unauthenticated notice carries only
    /// <see cref="Busy"/> or <see cref="Rejected"/>, so that a forged or observed notice tells nobody whether
    /// an enrollee id is pending, expired or already used.
    /// </summary>
    public enum EnrollmentStatus : byte
    {
        /// <summary>Enrolled: the result carries the device's operational parameters.</summary>
        Accepted = 0,

        /// <summary>Try again, with a fresh EK_B, after the retry-after delay (1..86400 s).</summary>
        Busy = 1,

        /// <summary>The pending enrollment or the bundle expired; the enroller must register the device again.</summary>
        Expired = 2,

        /// <summary>No pending enrollment for this enrollee id, or its prekeys are not the ones bound to it.</summary>
        Unknown = 3,

        /// <summary>EK_B or the one-time prekey was used before.</summary>
        Replayed = 4,

        /// <summary>The message decrypted but its content failed a check (e.g. the IK_B signature).</summary>
        Malformed = 5,

        /// <summary>Generic rejection without detail (the only non-busy code of a notice).</summary>
        Rejected = 6,
    }
}
