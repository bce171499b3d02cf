using Enrollment.Enrollee.Link;

namespace Enrollment.Enrollee.Channel
{
    /// <summary>
    /// The enrolled device's small, often-written state, kept apart from <see cref="State.DeviceRecord"/>
    /// (kilobytes, rewritten only on transitions) so that a counter reservation rewrites 54 bytes, not the
    /// whole record. Written atomically (write new, then rename) through <see cref="Ports.IStorage"/>.
    /// Layout, big-endian:
    /// <code>
    /// u8  format (1)
    /// u32 last epoch       the highest epoch the device completed (a response must name a higher one,
    ///                      docs/session-protocol.md section 7.6); 0 = none since enrollment
    /// u32 reserved epoch   with
    /// u64 reserved         the up-counter reservation of the epoch whose keys are on flash (section 5)
    /// u8  rotation pending and
    /// 32  IK_B' private    the new identity key, persisted before the rotation request leaves (section 8)
    /// u32 CRC-32 of all the above
    /// </code>
    /// </summary>
    public sealed class ChannelRecord
    {
        public const string FileName = "channel.rec";
        public const byte Format = 1;
        public const int KeySize = 32;
        public const int Size = 1 + 4 + 4 + 8 + 1 + KeySize + 4;

        public uint LastEpoch;
        public uint ReservedEpoch;
        public ulong Reserved;
        public bool RotationPending;
        public readonly byte[] PendingIdentity = new byte[KeySize];

        public int Encode(byte[] output)
        {
            output[0] = Format;
            BigEndian.WriteUInt32(output, 1, LastEpoch);
            BigEndian.WriteUInt32(output, 5, ReservedEpoch);
            BigEndian.WriteUInt32(output, 9, (uint)(Reserved >> 32));
            BigEndian.WriteUInt32(output, 13, (uint)Reserved);
            output[17] = RotationPending ? (byte)1 : (byte)0;
            System.Array.Copy(PendingIdentity, 0, output, 18, KeySize);
            BigEndian.WriteUInt32(output, Size - 4, Crc32.Compute(output, 0, Size - 4));
            return Size;
        }

        /// <summary>Loads a stored record; false (and everything cleared) if it is not a valid one.</summary>
        public bool TryDecode(byte[] input, int count)
        {
            if (count != Size || input[0] != Format || input[17] > 1
                || Crc32.Compute(input, 0, Size - 4) != BigEndian.ReadUInt32(input, Size - 4))
            {
                Clear();
                return false;
            }

            LastEpoch = BigEndian.ReadUInt32(input, 1);
            ReservedEpoch = BigEndian.ReadUInt32(input, 5);
            Reserved = ((ulong)BigEndian.ReadUInt32(input, 9) << 32) | BigEndian.ReadUInt32(input, 13);
            RotationPending = input[17] == 1;
            System.Array.Copy(input, 18, PendingIdentity, 0, KeySize);
            return true;
        }

        public void ClearRotation()
        {
            RotationPending = false;
            System.Array.Clear(PendingIdentity, 0, KeySize);
        }

        public void Clear()
        {
            LastEpoch = 0;
            ReservedEpoch = 0;
            Reserved = 0;
            ClearRotation();
        }
    }
}
