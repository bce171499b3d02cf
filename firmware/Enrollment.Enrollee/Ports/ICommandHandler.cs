namespace Enrollment.Enrollee.Ports
{
    /// <summary>
    /// The application's side of the secure channel: carries out a command the service sent (frame 0x11,
    /// docs/session-protocol.md section 6.2). Called on the device's main loop thread, once per command id
    /// (a command the service sends again with the same id is acknowledged again without a second call).
    /// </summary>
    /// <remarks>
    /// The body lies in the core's receive buffer, valid only during the call: copy what must outlive it.
    /// Implementations should not allocate if the device's steady state is to stay allocation-free.
    /// </remarks>
    public interface ICommandHandler
    {
        /// <summary>
        /// Carries out command <paramref name="commandId"/>. Writes up to <paramref name="detail"/>.Length
        /// bytes of detail for the acknowledgement (e.g. why it failed) and sets <paramref name="detailLength"/>.
        /// Returns the acknowledgement status: <see cref="CommandStatus.Done"/>, <see cref="CommandStatus.Failed"/>
        /// or <see cref="CommandStatus.Unsupported"/>.
        /// </summary>
        byte Handle(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] detail, out int detailLength);
    }

    /// <summary>Acknowledgement status bytes (docs/session-protocol.md section 6.2).</summary>
    public static class CommandStatus
    {
        public const byte Done = 0;
        public const byte Failed = 1;
        public const byte Unsupported = 2;
    }
}
