using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// The channel frame layout (docs/session-protocol.md section 3):
    /// <c>type (1) || version (1) || epoch (4) || counter (8) || ciphertext || tag (16)</c>, integers big-endian,
    /// with AAD = the 14 header bytes || device id length (1) || device id (ASCII). The header is
    /// authenticated, so a changed type, epoch or counter fails the tag; the device id binds the frame to one
    /// device even if two devices were ever given the same key.
    /// </summary>
    public static class ChannelFrame
    {
        /// <summary>True for the frame types a device sends (up), false for those the service sends (down).</summary>
        public static bool IsUp(ChannelMessageType type)
        {
            return type == ChannelMessageType.Telemetry || type == ChannelMessageType.Acknowledgement
                || type == ChannelMessageType.RotationRequest;
        }

        /// <summary>True for the six frame types 0x10..0x15 (not the rekey handshake).</summary>
        public static bool IsFrameType(int type)
        {
            return type >= (int)ChannelMessageType.Telemetry && type <= (int)ChannelMessageType.RotationResult;
        }

        /// <summary>
        /// Reads a frame's header without authenticating it (for routing and metrics only): false when the
        /// input is shorter than a minimal frame, longer than the maximum, not version 1 or not a frame type.
        /// </summary>
        public static bool TryReadHeader(byte[] frame, int offset, int count, out ChannelMessageType type, out uint epoch, out ulong counter)
        {
            Wire.CheckRange(frame, offset, count);
            type = 0;
            epoch = 0;
            counter = 0;
            if (count < SessionConstants.MinFrameSize || count > SessionConstants.MaxFrameSize
                || frame[offset + 1] != ProtocolConstants.Version || !IsFrameType(frame[offset]))
            {
                return false;
            }

            type = (ChannelMessageType)frame[offset];
            epoch = Wire.ReadUInt32(frame, offset + 2);
            counter = Wire.ReadUInt64(frame, offset + 6);
            return true;
        }

        /// <summary>Throws ArgumentException unless the device id is 1..64 characters of [A-Za-z0-9_-] (docs/protocol.md section 4).</summary>
        internal static void CheckDeviceId(string deviceId)
        {
            AsciiText.Check(deviceId, AsciiText.DeviceId, 1, SessionConstants.MaxDeviceIdLength, nameof(deviceId));
        }

        /// <summary>Builds the constant tail of the AAD (device id length || device id) after room for the header.</summary>
        internal static byte[] NewAad(string deviceId)
        {
            CheckDeviceId(deviceId);
            byte[] aad = new byte[SessionConstants.FrameHeaderSize + 1 + deviceId.Length];
            aad[SessionConstants.FrameHeaderSize] = (byte)deviceId.Length;
            AsciiText.Write(deviceId, aad, SessionConstants.FrameHeaderSize + 1);
            return aad;
        }

        internal static void WriteHeader(byte[] b, int o, ChannelMessageType type, uint epoch, ulong counter)
        {
            b[o] = (byte)type;
            b[o + 1] = ProtocolConstants.Version;
            Wire.WriteUInt32(b, o + 2, epoch);
            Wire.WriteUInt64(b, o + 6, counter);
        }

        internal static void CheckKey(byte[] key, string name)
        {
            Wire.CheckLength(key, ProtocolConstants.AeadKeySize, name);
        }

        internal static byte[] Copy(byte[] source)
        {
            byte[] copy = new byte[source.Length];
            Array.Copy(source, copy, source.Length);
            return copy;
        }
    }
}
