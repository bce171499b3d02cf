using Enrollment.Enrollee.Ports;

namespace Enrollment.Enrollee.Link
{
    /// <summary>
    /// Reliable, ordered message delivery over a noisy byte pipe (docs/serial-protocol.md sections 2-4):
    /// framing with CRC-32, resynchronisation after garbage, stop-and-wait acknowledgements with
    /// retransmission, duplicate and out-of-order rejection by sequence number, and fragmentation of
    /// messages longer than one frame. The same class serves both ends (device and enroller).
    /// </summary>
    /// <remarks>
    /// Single-threaded: call <see cref="Poll"/> from the owner's loop; handler callbacks run inside it.
    /// Every buffer is allocated in the constructor: polling, sending and receiving allocate nothing.
    /// </remarks>
    public sealed partial class EnrollerLink
    {
        /// <summary>Link-level acknowledgement: empty payload, sequence = the acknowledged frame's.</summary>
        public const byte TypeAck = 0x0F;

        /// <summary>Hello and HelloReply start a session: the receiver forgets the peer's last sequence.</summary>
        public const byte TypeHello = 0x01;

        public const byte TypeHelloReply = 0x02;

        private readonly ISerialLink _serial;
        private readonly IClock _clock;
        private readonly ILinkHandler _handler;
        private readonly int _ackTimeout;
        private readonly int _maxRetries;
        private readonly int _maxMessage;

        private readonly byte[] _rx = new byte[2 * Frame.MaxFrameSize];
        private int _rxCount;
        private readonly byte[] _ackFrame = new byte[Frame.Overhead];

        // Receiver state.
        private bool _haveRxSequence;
        private byte _lastRxSequence;
        private readonly byte[] _message;
        private int _messageCount;
        private byte _messageType;
        private bool _assembling;
        private bool _discarding;

        private byte _negotiatedVersion = Frame.Version1;

        public EnrollerLink(ISerialLink serial, IClock clock, ILinkHandler handler, LinkOptions options)
        {
            if (serial == null)
            {
                throw new System.ArgumentNullException("serial");
            }

            if (clock == null)
            {
                throw new System.ArgumentNullException("clock");
            }

            if (handler == null)
            {
                throw new System.ArgumentNullException("handler");
            }

            if (options == null)
            {
                throw new System.ArgumentNullException("options");
            }

            _serial = serial;
            _clock = clock;
            _handler = handler;
            _ackTimeout = options.AckTimeoutMilliseconds;
            _maxRetries = options.MaxRetries;
            _maxMessage = options.MaxMessageSize;
            _message = new byte[_maxMessage];
            _slots = new byte[options.QueueSlots][];
            for (int i = 0; i < _slots.Length; i++)
            {
                _slots[i] = new byte[options.SlotSize];
            }

            _slotType = new byte[options.QueueSlots];
            _slotCount = new int[options.QueueSlots];
            Counters = new LinkCounters();
        }

        public LinkCounters Counters { get; private set; }

        /// <summary>The version used for frames other than Hello/HelloReply (set after negotiation).</summary>
        public byte NegotiatedVersion
        {
            get { return _negotiatedVersion; }
            set
            {
                if (!IsSupportedVersion(value))
                {
                    throw new System.ArgumentOutOfRangeException("value");
                }

                _negotiatedVersion = value;
            }
        }

        /// <summary>Link versions this implementation speaks, in increasing order.</summary>
        public static bool IsSupportedVersion(byte version)
        {
            return version == Frame.Version1;
        }

        /// <summary>Reads what the serial port has, handles complete frames and runs retransmission timers.</summary>
        public void Poll()
        {
            // Bounded so that a flood of bytes cannot starve the caller's loop.
            for (int reads = 0; reads < 8; reads++)
            {
                int n = _serial.Read(_rx, _rxCount, _rx.Length - _rxCount);
                if (n <= 0)
                {
                    break;
                }

                _rxCount += n;
                ParseBuffered();
            }

            RunSendTimers();
        }

        private void ParseBuffered()
        {
            byte[] rx = _rx;
            int pos = 0;
            while (true)
            {
                int start = pos;
                while (pos < _rxCount && !(rx[pos] == Frame.Sync0 && (pos + 1 == _rxCount || rx[pos + 1] == Frame.Sync1)))
                {
                    pos++;
                }

                Counters.GarbageBytes += pos - start;
                int available = _rxCount - pos;
                if (available < Frame.HeaderSize)
                {
                    break;
                }

                int length = BigEndian.ReadUInt16(rx, pos + Frame.LengthOffset);
                if (length > Frame.MaxPayload || (rx[pos + Frame.FlagsOffset] & ~Frame.FlagsDefined) != 0)
                {
                    // Not a frame start after all (or a corrupted header): resynchronise one byte later.
                    pos++;
                    Counters.GarbageBytes++;
                    continue;
                }

                int size = Frame.Overhead + length;
                if (available < size)
                {
                    break;
                }

                uint crc = Crc32.Compute(rx, pos + Frame.VersionOffset, Frame.HeaderSize - Frame.VersionOffset + length);
                if (crc != BigEndian.ReadUInt32(rx, pos + Frame.HeaderSize + length))
                {
                    // The bytes after this sync may hold the real next frame (the retransmission of this
                    // one, say): rescan from the next byte rather than skipping the whole candidate.
                    pos++;
                    Counters.CrcErrors++;
                    continue;
                }

                HandleFrame(pos, length);
                pos += size;
            }

            if (pos > 0)
            {
                System.Array.Copy(rx, pos, rx, 0, _rxCount - pos);
                _rxCount -= pos;
            }
        }

        private void HandleFrame(int pos, int length)
        {
            byte version = _rx[pos + Frame.VersionOffset];
            byte type = _rx[pos + Frame.TypeOffset];
            byte flags = _rx[pos + Frame.FlagsOffset];
            byte sequence = _rx[pos + Frame.SequenceOffset];
            if (!IsSupportedVersion(version))
            {
                // The peer ignored the negotiation (Hello is always version 1): no acknowledgement, so its
                // sender gives up and reports the failure.
                Counters.UnsupportedVersion++;
                return;
            }

            Counters.FramesAccepted++;
            if (type == TypeAck)
            {
                OnAck(sequence, length);
                return;
            }

            if ((type == TypeHello || type == TypeHelloReply) && (flags & Frame.FlagFirst) != 0)
            {
                // A new session: the peer may have restarted with any sequence number. Only the first
                // fragment does this; later fragments of the same HelloReply continue the message.
                _haveRxSequence = false;
                _assembling = false;
                _discarding = false;
                _messageCount = 0;
            }

            if (_haveRxSequence && sequence == _lastRxSequence)
            {
                // Our acknowledgement was lost and the peer sent the frame again: acknowledge, do not deliver.
                Counters.Duplicates++;
                SendAck(version, sequence);
                return;
            }

            if (_haveRxSequence && sequence != (byte)(_lastRxSequence + 1))
            {
                // Stop-and-wait never has two frames outstanding, so anything else is stale or reordered.
                // No acknowledgement: the peer retransmits what we really expect.
                Counters.OutOfOrder++;
                return;
            }

            _haveRxSequence = true;
            _lastRxSequence = sequence;
            SendAck(version, sequence);
            Assemble(type, flags, pos + Frame.HeaderSize, length);
        }

        private void Assemble(byte type, byte flags, int payloadOffset, int length)
        {
            bool more = (flags & Frame.FlagMore) != 0;
            if ((flags & Frame.FlagFirst) != 0)
            {
                // A new message: whatever was being assembled or discarded was given up by the peer.
                _assembling = false;
                _discarding = false;
                _messageCount = 0;
            }
            else if (_discarding || !_assembling || type != _messageType)
            {
                // The rest of a message that was too large, or a continuation of nothing we hold.
                _assembling = false;
                _messageCount = 0;
                _discarding = more;
                return;
            }

            if (_messageCount + length > _maxMessage)
            {
                _assembling = false;
                _messageCount = 0;
                _discarding = more;
                _handler.OnMessageTooLarge(type);
                return;
            }

            System.Array.Copy(_rx, payloadOffset, _message, _messageCount, length);
            _messageCount += length;
            _messageType = type;
            if (more)
            {
                _assembling = true;
                return;
            }

            int count = _messageCount;
            _assembling = false;
            _messageCount = 0;
            Counters.MessagesDelivered++;
            _handler.OnMessage(type, _message, 0, count);
        }

        private void SendAck(byte version, byte sequence)
        {
            Frame.Encode(version, TypeAck, 0, sequence, _ackFrame, 0, 0, _ackFrame, 0);
            _serial.Write(_ackFrame, 0, Frame.Overhead);
        }
    }
}
