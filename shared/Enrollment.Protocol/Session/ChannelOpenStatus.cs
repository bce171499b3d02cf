namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Why a receiver accepted or dropped a frame (docs/session-protocol.md section 4). The reason is for the
    /// receiver's own logs and counters; it is never sent to the peer (a sender learns nothing from a drop).
    /// </summary>
    public enum ChannelOpenStatus
    {
        /// <summary>Authentic, fresh, in the current epoch: the plaintext was written.</summary>
        Accepted = 0,

        /// <summary>Truncated, oversize, unknown version or type, or a type of the other direction.</summary>
        Malformed = 1,

        /// <summary>The frame names an earlier epoch: a stale session, or a replay from one.</summary>
        StaleEpoch = 2,

        /// <summary>The frame names a later epoch than the receiver knows: the peer finished a rekey this side has not.</summary>
        UnknownEpoch = 3,

        /// <summary>The counter is below the replay window: too old to tell fresh from replayed, so dropped.</summary>
        TooOld = 4,

        /// <summary>The counter was already accepted (a replay or a duplicate delivery).</summary>
        Replayed = 5,

        /// <summary>The AEAD tag did not verify: tampered, or sealed under another key.</summary>
        Tampered = 6,
    }

    /// <summary>Outcome of <see cref="ChannelSender.Seal"/>.</summary>
    public enum ChannelSealStatus
    {
        /// <summary>The frame was written.</summary>
        Sealed = 0,

        /// <summary>The counter store could not persist the next reservation; nothing was written and no counter was used.</summary>
        ReservationFailed = 1,

        /// <summary>This epoch's counters (or the caller's message limit) are used up: rekey before sending.</summary>
        RekeyRequired = 2,
    }
}
