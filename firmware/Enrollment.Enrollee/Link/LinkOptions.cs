namespace Enrollment.Enrollee.Link
{
    /// <summary>
    /// Tunables of <see cref="EnrollerLink"/>. Defaults suit the device side at 115200 baud; setters reject
    /// bad values at once, and the link copies them at construction.
    /// </summary>
    public sealed class LinkOptions
    {
        private int _ackTimeout = 250;
        private int _maxRetries = 16;
        private int _maxMessageSize = 3072;
        private int _queueSlots = 4;
        private int _slotSize = 256;

        /// <summary>
        /// How long a sender waits for the acknowledgement of a frame before sending it again. A full frame
        /// and its acknowledgement take 12.5 + 1.0 ms on the wire at 115200 baud; the rest is the peer's
        /// main-loop latency (the device polls the UART every 20 ms, see DeviceTimings).
        /// </summary>
        public int AckTimeoutMilliseconds
        {
            get { return _ackTimeout; }
            set { _ackTimeout = Check(value, 10, 60000, "AckTimeoutMilliseconds"); }
        }

        /// <summary>Retransmissions of one frame before the message is given up (then OnSendFailed).</summary>
        public int MaxRetries
        {
            get { return _maxRetries; }
            set { _maxRetries = Check(value, 0, 1000, "MaxRetries"); }
        }

        /// <summary>
        /// Largest message (sum of its fragments) this side accepts; longer ones are dropped whole. The
        /// default takes the largest Bundle message (2941 bytes).
        /// </summary>
        public int MaxMessageSize
        {
            get { return _maxMessageSize; }
            set { _maxMessageSize = Check(value, Frame.MaxPayload, 65535, "MaxMessageSize"); }
        }

        /// <summary>Messages that can wait to be sent (one is in flight at a time: stop-and-wait).</summary>
        public int QueueSlots
        {
            get { return _queueSlots; }
            set { _queueSlots = Check(value, 1, 64, "QueueSlots"); }
        }

        /// <summary>Largest message this side can send. The device only sends short replies.</summary>
        public int SlotSize
        {
            get { return _slotSize; }
            set { _slotSize = Check(value, 1, 65535, "SlotSize"); }
        }

        private static int Check(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                throw new System.ArgumentOutOfRangeException(name);
            }

            return value;
        }
    }

    /// <summary>What the link tells the layer above it.</summary>
    public interface ILinkHandler
    {
        /// <summary>A complete message (all fragments, in order, once). The buffer is reused after return.</summary>
        void OnMessage(byte type, byte[] payload, int offset, int count);

        /// <summary>A message of ours was not acknowledged after every retry; it is dropped.</summary>
        void OnSendFailed(byte type);

        /// <summary>An incoming message exceeded <see cref="LinkOptions.MaxMessageSize"/> and was dropped.</summary>
        void OnMessageTooLarge(byte type);
    }
}
