using Enrollment.Enrollee.Link;

namespace Enrollment.Enrollee.Channel
{
    /// <summary>
    /// The enrolled device's small, often-written state, kept apart from <see cref="State.DeviceRecord"/>
    /// (kilobytes, rewritten only on transitions) so that a counter reservation rewrites 96 bytes, not the
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
    /// u8  commands         how many of the 8 slots below hold a command (format 2)
    /// u8  next slot        where the next command goes (oldest first, a ring)
    /// 8 x (u32 command id, u8 status)   the commands carried out or started (section 6.2)
    /// u32 CRC-32 of all the above
    /// </code>
    /// Format 1 (54 bytes, no command slots) is what firmware before the command log wrote; it decodes with an
    /// empty log, and the next save writes format 2.
    /// </summary>
    public sealed class ChannelRecord
    {
        public const string FileName = "channel.rec";
        public const byte Format = 2;
        public const int KeySize = 32;

        /// <summary>Command ids remembered (section 6.2: a few suffice; the service resends at most 8).</summary>
        public const int RecentCommands = 8;

        private const byte FormatWithoutCommands = 1;
        private const int CommandsOffset = 1 + 4 + 4 + 8 + 1 + KeySize;
        private const int SizeWithoutCommands = CommandsOffset + 4;
        public const int Size = CommandsOffset + 2 + RecentCommands * 5 + 4;

        public uint LastEpoch;
        public uint ReservedEpoch;
        public ulong Reserved;
        public bool RotationPending;
        public readonly byte[] PendingIdentity = new byte[KeySize];
        private readonly uint[] _commandIds = new uint[RecentCommands];
        private readonly byte[] _commandStatus = new byte[RecentCommands];
        private int _commandCount;
        private int _commandNext;

        /// <summary>The slot of a remembered command, or -1.</summary>
        public int FindCommand(uint id)
        {
            for (int i = 0; i < _commandCount; i++)
            {
                if (_commandIds[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        public byte CommandStatus(int slot)
        {
            return _commandStatus[slot];
        }

        /// <summary>Remembers a command in the oldest slot; returns that slot.</summary>
        public int RememberCommand(uint id, byte status)
        {
            int slot = _commandNext;
            _commandIds[slot] = id;
            _commandStatus[slot] = status;
            _commandNext = (_commandNext + 1) % RecentCommands;
            if (_commandCount < RecentCommands)
            {
                _commandCount++;
            }

            return slot;
        }

        public void SetCommandStatus(int slot, byte status)
        {
            _commandStatus[slot] = status;
        }

        public int Encode(byte[] output)
        {
            output[0] = Format;
            BigEndian.WriteUInt32(output, 1, LastEpoch);
            BigEndian.WriteUInt32(output, 5, ReservedEpoch);
            BigEndian.WriteUInt32(output, 9, (uint)(Reserved >> 32));
            BigEndian.WriteUInt32(output, 13, (uint)Reserved);
            output[17] = RotationPending ? (byte)1 : (byte)0;
            System.Array.Copy(PendingIdentity, 0, output, 18, KeySize);
            output[CommandsOffset] = (byte)_commandCount;
            output[CommandsOffset + 1] = (byte)_commandNext;
            for (int i = 0; i < RecentCommands; i++)
            {
                BigEndian.WriteUInt32(output, CommandsOffset + 2 + i * 5, _commandIds[i]);
                output[CommandsOffset + 2 + i * 5 + 4] = _commandStatus[i];
            }

            BigEndian.WriteUInt32(output, Size - 4, Crc32.Compute(output, 0, Size - 4));
            return Size;
        }

        /// <summary>Loads a stored record; false (and everything cleared) if it is not a valid one.</summary>
        public bool TryDecode(byte[] input, int count)
        {
            int size = count == SizeWithoutCommands && input[0] == FormatWithoutCommands ? SizeWithoutCommands : Size;
            if (count != size || (size == Size && input[0] != Format) || input[17] > 1
                || Crc32.Compute(input, 0, size - 4) != BigEndian.ReadUInt32(input, size - 4)
                || (size == Size && (input[CommandsOffset] > RecentCommands || input[CommandsOffset + 1] >= RecentCommands)))
            {
                Clear();
                return false;
            }

            ClearCommands();
            if (size == Size)
            {
                _commandCount = input[CommandsOffset];
                _commandNext = input[CommandsOffset + 1];
                for (int i = 0; i < RecentCommands; i++)
                {
                    _commandIds[i] = BigEndian.ReadUInt32(input, CommandsOffset + 2 + i * 5);
                    _commandStatus[i] = input[CommandsOffset + 2 + i * 5 + 4];
                }
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
            ClearCommands();
        }

        private void ClearCommands()
        {
            System.Array.Clear(_commandIds, 0, RecentCommands);
            System.Array.Clear(_commandStatus, 0, RecentCommands);
            _commandCount = 0;
            _commandNext = 0;
        }
    }
}
