namespace Enrollment.Protocol.Messages
{
    /// <summary>The first byte of every message (docs/protocol.md "Message overview").</summary>
    public enum MessageType : byte
    {
        /// <summary>Enrollment bundle: service, through the enroller, to the enrollee.</summary>
        Bundle = 0x01,

        /// <summary>Enrollment message (X3DH initial message): enrollee to service.</summary>
        Enrollment = 0x02,

        /// <summary>Sealed enrollment result, encrypted under a key derived from SK: service to enrollee.</summary>
        Result = 0x03,

        /// <summary>Unauthenticated rejection notice (busy or a generic "rejected"): service to enrollee.</summary>
        Notice = 0x04,
    }
}
