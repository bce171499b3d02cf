namespace Enrollment.Enrollee.Messages
{
    /// <summary>
    /// Status (enrollee to enroller): <c>u8 state || u8 status code || u16 attempt || u16 wait seconds ||
    /// u8 len (0..64) || device id (ASCII, once enrolled)</c>. Wait seconds: for Computing, the worst-case time during which the
    /// device cannot answer; for RetryScheduled, the delay before the next attempt; 0 otherwise.
    /// </summary>
    public sealed class StatusMessage
    {
        public byte State;
        public byte Code;
        public int Attempt;
        public int WaitSeconds;
        public readonly byte[] DeviceId = new byte[Limits.MaxDeviceId];
        public int DeviceIdLength;

        public int Encode(byte[] output, int offset)
        {
            if (Attempt < 0 || Attempt > 0xFFFF)
            {
                throw new System.ArgumentOutOfRangeException("Attempt");
            }

            if (WaitSeconds < 0 || WaitSeconds > 0xFFFF)
            {
                throw new System.ArgumentOutOfRangeException("WaitSeconds");
            }

            WireWriter w = new WireWriter(output, offset);
            w.WriteByte(State);
            w.WriteByte(Code);
            w.WriteUInt16(Attempt);
            w.WriteUInt16(WaitSeconds);
            w.WriteShortField(DeviceId, DeviceIdLength, 0, Limits.MaxDeviceId, "DeviceIdLength");
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            State = r.ReadByte();
            Code = r.ReadByte();
            Attempt = r.ReadUInt16();
            WaitSeconds = r.ReadUInt16();
            DeviceIdLength = r.ReadShortField(DeviceId, 0, Limits.MaxDeviceId);
            return r.Complete;
        }
    }

    /// <summary>
    /// FactoryReset (enroller to enrollee): <c>u8 len (1..32) || enrollee id</c>. The id must be the device's
    /// own, so that a reset meant for one device never erases another that happens to be on the port.
    /// </summary>
    public sealed class FactoryResetMessage
    {
        public readonly byte[] EnrolleeId = new byte[Limits.MaxEnrolleeId];
        public int EnrolleeIdLength;

        public int Encode(byte[] output, int offset)
        {
            WireWriter w = new WireWriter(output, offset);
            w.WriteShortField(EnrolleeId, EnrolleeIdLength, 1, Limits.MaxEnrolleeId, "EnrolleeIdLength");
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            EnrolleeIdLength = r.ReadShortField(EnrolleeId, 1, Limits.MaxEnrolleeId);
            return r.Complete;
        }
    }

    /// <summary>
    /// Error (either direction): <c>u8 code (ErrorCode) || u8 type of the message it answers (0 = none)</c>.
    /// FactoryResetAck (enrollee to enroller) has the same one-byte-code shape: <c>u8 result (0 = erased)</c>.
    /// </summary>
    public sealed class ErrorMessage
    {
        public byte Code;
        public byte About;

        public int Encode(byte[] output, int offset)
        {
            WireWriter w = new WireWriter(output, offset);
            w.WriteByte(Code);
            w.WriteByte(About);
            return w.Position - offset;
        }

        public bool TryDecode(byte[] input, int offset, int count)
        {
            WireReader r = new WireReader(input, offset, count);
            Code = r.ReadByte();
            About = r.ReadByte();
            return r.Complete && Code != 0;
        }
    }
}
