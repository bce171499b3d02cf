namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Durable storage for a sender's counter reservation (docs/session-protocol.md section 5). A nonce must
    /// never repeat under one key (RFC 8439 section 4), and a device can lose power between two messages, so
    /// the sender reserves a block of counters ahead of use and writes the block's end here before using any
    /// counter in it. After a restart the sender resumes at the stored value: counters between the last one
    /// used and the reservation are skipped, never reused. A plain interface, not a delegate, because the
    /// device subset has no generic delegates and a flash or database store is naturally an object.
    /// </summary>
    public interface ICounterStore
    {
        /// <summary>
        /// Durably records that counters below <paramref name="reservedLimit"/> in <paramref name="epoch"/> may
        /// have been used. Returns true only once the value would survive a power loss; false if it could
        /// not be written (the sender then sends nothing).
        /// </summary>
        bool Reserve(uint epoch, ulong reservedLimit);
    }
}
