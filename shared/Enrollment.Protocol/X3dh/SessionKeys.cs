using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.X3dh
{
    /// <summary>
    /// The first session's keys, derived from SK (docs/protocol.md "Session keys"): one ChaCha20-Poly1305
    /// key per direction, so a counter value used in both directions never meets the same key; the nonce is
    /// 4 zero bytes followed by a 64-bit big-endian message counter that starts at 0 and never repeats.
    /// </summary>
    public sealed class SessionKeys
    {
        private SessionKeys(byte[] up, byte[] down)
        {
            Up = up;
            Down = down;
        }

        /// <summary>K_up = HKDF-Expand(SK, "Ockam Enrollment v1 session up", 32): enrollee to service.</summary>
        public byte[] Up { get; }

        /// <summary>K_down = HKDF-Expand(SK, "Ockam Enrollment v1 session down", 32): service to enrollee.</summary>
        public byte[] Down { get; }

        /// <summary>Derives both keys from SK with the managed HKDF (the device's).</summary>
        public static SessionKeys Derive(byte[] sharedSecret)
        {
            return Derive(sharedSecret, null);
        }

        /// <summary>
        /// Derives both keys from SK, on the host's symmetric primitives when given: the service derives them
        /// once per enrollment, and its libsodium HMAC is several times faster than the managed one.
        /// </summary>
        public static SessionKeys Derive(byte[] sharedSecret, IX3dhSymmetricPrimitives? symmetric)
        {
            Wire.CheckLength(sharedSecret, ProtocolConstants.AeadKeySize, nameof(sharedSecret));
            return new SessionKeys(
                KeySchedule.Expand(symmetric, sharedSecret, KeySchedule.SessionUpLabel),
                KeySchedule.Expand(symmetric, sharedSecret, KeySchedule.SessionDownLabel));
        }

        /// <summary>Writes the 12-byte nonce for a message counter: 0x00000000 || counter (uint64, big-endian).</summary>
        public static void WriteNonce(ulong counter, byte[] nonce, int offset)
        {
            Wire.CheckRange(nonce, offset, ProtocolConstants.AeadNonceSize);
            nonce[offset] = 0;
            nonce[offset + 1] = 0;
            nonce[offset + 2] = 0;
            nonce[offset + 3] = 0;
            Wire.WriteUInt64(nonce, offset + 4, counter);
        }

        /// <summary>Zeroes both keys.</summary>
        public void Clear()
        {
            CryptoBinding.Zero(Up);
            CryptoBinding.Zero(Down);
        }
    }
}
