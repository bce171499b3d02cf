namespace Enrollment.Enrollee.Link
{
    /// <summary>The sending half: a fixed queue of messages, one frame in flight (stop-and-wait ARQ).</summary>
    public sealed partial class EnrollerLink
    {
        private readonly byte[][] _slots;
        private readonly byte[] _slotType;
        private readonly int[] _slotCount;
        private int _queueHead;
        private int _queued;

        private readonly byte[] _txFrame = new byte[Frame.MaxFrameSize];
        private int _txFrameSize;
        private bool _inFlight;
        private int _fragmentOffset;
        private int _fragmentCount;
        private byte _txSequence;
        private byte _nextSequence;
        private int _retries;
        private long _deadline;

        /// <summary>True when nothing is queued or waiting for an acknowledgement.</summary>
        public bool IsIdle
        {
            get { return _queued == 0; }
        }

        /// <summary>
        /// Queues a message (copied) and starts sending it if the link is idle. Returns false, without
        /// queuing, if the queue is full or the message longer than <see cref="LinkOptions.SlotSize"/>.
        /// </summary>
        public bool TrySend(byte type, byte[] payload, int offset, int count)
        {
            if (type == TypeAck)
            {
                throw new System.ArgumentOutOfRangeException("type");
            }

            if (count < 0 || (count > 0 && (payload == null || offset < 0 || payload.Length - offset < count)))
            {
                throw new System.ArgumentOutOfRangeException("count");
            }

            if (_queued == _slots.Length || count > _slots[0].Length)
            {
                return false;
            }

            int slot = (_queueHead + _queued) % _slots.Length;
            if (count > 0)
            {
                System.Array.Copy(payload, offset, _slots[slot], 0, count);
            }

            _slotType[slot] = type;
            _slotCount[slot] = count;
            _queued++;
            if (!_inFlight)
            {
                StartFragment(0);
            }

            return true;
        }

        private void StartFragment(int offset)
        {
            int slot = _queueHead;
            int total = _slotCount[slot];
            int count = total - offset;
            if (count > Frame.MaxPayload)
            {
                count = Frame.MaxPayload;
            }

            byte flags = (byte)((offset + count < total ? Frame.FlagMore : 0) | (offset == 0 ? Frame.FlagFirst : 0));
            byte type = _slotType[slot];
            byte version = type == TypeHello || type == TypeHelloReply ? Frame.Version1 : _negotiatedVersion;
            _txSequence = _nextSequence;
            _nextSequence = (byte)(_nextSequence + 1);
            _fragmentOffset = offset;
            _fragmentCount = count;
            _txFrameSize = Frame.Encode(version, type, flags, _txSequence, _slots[slot], offset, count, _txFrame, 0);
            _inFlight = true;
            _retries = 0;
            Transmit();
        }

        private void Transmit()
        {
            _serial.Write(_txFrame, 0, _txFrameSize);
            _deadline = _clock.NowMilliseconds + _ackTimeout;
        }

        private void OnAck(byte sequence, int length)
        {
            if (!_inFlight || length != 0 || sequence != _txSequence)
            {
                // A late acknowledgement of an earlier transmission: already handled.
                return;
            }

            int next = _fragmentOffset + _fragmentCount;
            if (next < _slotCount[_queueHead])
            {
                StartFragment(next);
                return;
            }

            Counters.MessagesSent++;
            Dequeue();
        }

        private void RunSendTimers()
        {
            if (!_inFlight || _clock.NowMilliseconds < _deadline)
            {
                return;
            }

            if (_retries < _maxRetries)
            {
                _retries++;
                Counters.Retransmissions++;
                Transmit();
                return;
            }

            Counters.SendFailures++;
            byte type = _slotType[_queueHead];
            Dequeue();
            _handler.OnSendFailed(type);
        }

        private void Dequeue()
        {
            _inFlight = false;
            _queueHead = (_queueHead + 1) % _slots.Length;
            _queued--;
            if (_queued > 0)
            {
                StartFragment(0);
            }
        }

        /// <summary>Drops everything queued (factory reset, or the owner starting over).</summary>
        public void ClearQueue()
        {
            _inFlight = false;
            _queued = 0;
        }
    }
}
