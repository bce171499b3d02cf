using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>Sizes and labels of docs/session-protocol.md section 2 ("Constants"), in one place.</summary>
    public static class SessionConstants
    {
        /// <summary>Channel frame header: type (1) || version (1) || epoch (4) || counter (8).</summary>
        public const int FrameHeaderSize = 14;

        /// <summary>Largest plaintext of one channel frame; fits the device's buffers (110 KB heap) with room to spare.</summary>
        public const int MaxPayloadSize = 1024;

        /// <summary>ChaCha20-Poly1305 tag (RFC 8439 section 2.8).</summary>
        public const int TagSize = ProtocolConstants.AeadTagSize;

        /// <summary>Smallest frame: a header and a tag around an empty plaintext.</summary>
        public const int MinFrameSize = FrameHeaderSize + TagSize;

        /// <summary>Largest frame: 14 + 1024 + 16 = 1054 bytes; a longer input is rejected before any work.</summary>
        public const int MaxFrameSize = FrameHeaderSize + MaxPayloadSize + TagSize;

        /// <summary>Device id length bounds (docs/protocol.md section 4, device id class).</summary>
        public const int MaxDeviceIdLength = 64;

        /// <summary>Replay window width in counters (RFC 4303 section 3.4.3 recommends at least 32; 128 tolerates MQTT reordering across reconnects).</summary>
        public const int ReplayWindowSize = 128;

        /// <summary>Counters a sender reserves per write to its <see cref="ICounterStore"/> unless told otherwise.</summary>
        public const int DefaultReservationBlock = 64;

        /// <summary>The counter value no sender uses: the epoch must be rekeyed before it.</summary>
        public const ulong CounterLimit = ulong.MaxValue;

        /// <summary>Rekey init: 2 + e_B (32) + reason (1).</summary>
        public const int RekeyInitSize = 35;

        /// <summary>Rekey response: 2 + e_A (32) + epoch (4) + confirmation tag (16).</summary>
        public const int RekeyResponseSize = 54;

        /// <summary>Rekey confirm: 2 + epoch (4) + confirmation tag (16).</summary>
        public const int RekeyConfirmSize = 22;

        internal const string RekeyText = "Ockam Session v1 rekey";

        internal const string UpText = "Ockam Session v1 up";

        internal const string DownText = "Ockam Session v1 down";

        internal const string ConfirmServiceText = "Ockam Session v1 confirm service";

        internal const string ConfirmDeviceText = "Ockam Session v1 confirm device";

        internal const string RotateOldText = "OCKAM-ROTATE-OLD-v1";

        internal const string RotateNewText = "OCKAM-ROTATE-NEW-v1";

        internal static readonly byte[] RekeyLabel = KeySchedule.Ascii(RekeyText);

        internal static readonly byte[] UpLabel = KeySchedule.Ascii(UpText);

        internal static readonly byte[] DownLabel = KeySchedule.Ascii(DownText);

        internal static readonly byte[] ConfirmServiceLabel = KeySchedule.Ascii(ConfirmServiceText);

        internal static readonly byte[] ConfirmDeviceLabel = KeySchedule.Ascii(ConfirmDeviceText);

        internal static readonly byte[] RotateOldLabel = KeySchedule.Ascii(RotateOldText);

        internal static readonly byte[] RotateNewLabel = KeySchedule.Ascii(RotateNewText);
    }
}
