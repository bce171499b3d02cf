namespace Enrollment.Enrollee.Ports
{
    /// <summary>
    /// The byte pipe to the enroller (a UART on the device, a pseudo-terminal in the simulator). Framing,
    /// acknowledgements and retransmission live above it in <see cref="Link.EnrollerLink"/>.
    /// </summary>
    public interface ISerialLink
    {
        /// <summary>Copies up to <paramref name="count"/> bytes already received; never blocks; 0 when none.</summary>
        int Read(byte[] buffer, int offset, int count);

        /// <summary>Queues bytes for transmission (may block until the driver's buffer has room).</summary>
        void Write(byte[] buffer, int offset, int count);
    }
}
