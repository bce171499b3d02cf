using System;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Opens channel frames of one direction and one epoch (docs/session-protocol.md section 4). Checks, in
    /// order and cheapest first: size, version, type and direction, epoch, the replay window (RFC 4303 section
    /// 3.4.3), then the AEAD tag; only an authentic frame moves the window. Holds its AEAD state and buffers,
    /// so opening into a caller's buffer allocates nothing. A host with native code passes its
    /// <see cref="IX3dhSymmetricPrimitives"/> (the cloud: libsodium) and the AEAD runs there. Not thread-safe.
    /// </summary>
    public sealed class ChannelReceiver
    {
        private readonly byte[] _key;
        private readonly ChannelDirection _direction;
        private readonly byte[] _aad;
        private readonly byte[] _nonce = new byte[ProtocolConstants.AeadNonceSize];
        private readonly ChaCha20Poly1305? _aead;
        private readonly IX3dhSymmetricPrimitives? _symmetric;
        private readonly ReplayWindow _window = new ReplayWindow();

        /// <summary>Creates a receiver for frames sealed under <paramref name="key"/> (copied) in <paramref name="epoch"/>.</summary>
        public ChannelReceiver(byte[] key, uint epoch, string deviceId, ChannelDirection direction)
            : this(key, epoch, deviceId, direction, null)
        {
        }

        /// <summary>As the constructor above, opening with <paramref name="symmetric"/>'s ChaCha20-Poly1305 when not null.</summary>
        public ChannelReceiver(byte[] key, uint epoch, string deviceId, ChannelDirection direction, IX3dhSymmetricPrimitives? symmetric)
        {
            ChannelFrame.CheckKey(key, nameof(key));
            _key = ChannelFrame.Copy(key);
            _aad = ChannelFrame.NewAad(deviceId);
            Epoch = epoch;
            _direction = direction;
            _symmetric = symmetric;
            _aead = symmetric == null ? new ChaCha20Poly1305() : null;
        }

        /// <summary>The epoch whose frames this receiver accepts.</summary>
        public uint Epoch { get; }

        /// <summary>
        /// Authenticates and decrypts one frame of exactly <paramref name="count"/> bytes. On
        /// <see cref="ChannelOpenStatus.Accepted"/> the plaintext (count - 30 bytes) is at
        /// <paramref name="plaintext"/>[<paramref name="plaintextOffset"/>..]; on any other status nothing is
        /// written there except zeros and the window is unchanged. The plaintext buffer must hold count - 30
        /// bytes for a frame that passes the size check (a buffer of <see cref="SessionConstants.MaxPayloadSize"/> always does).
        /// </summary>
        public ChannelOpenStatus Open(byte[] frame, int offset, int count, byte[] plaintext, int plaintextOffset, out ChannelMessageType type, out int plaintextLength, out ulong counter)
        {
            Wire.CheckRange(frame, offset, count);
            type = 0;
            plaintextLength = 0;
            counter = 0;
            uint epoch;
            ChannelMessageType t;
            ulong c;
            if (!ChannelFrame.TryReadHeader(frame, offset, count, out t, out epoch, out c)
                || ChannelFrame.IsUp(t) != (_direction == ChannelDirection.Up))
            {
                return ChannelOpenStatus.Malformed;
            }

            int length = count - SessionConstants.MinFrameSize;
            Wire.CheckRange(plaintext, plaintextOffset, length);
            if (epoch < Epoch)
            {
                return ChannelOpenStatus.StaleEpoch;
            }

            if (epoch > Epoch)
            {
                return ChannelOpenStatus.UnknownEpoch;
            }

            ChannelOpenStatus fresh = _window.Check(c);
            if (fresh != ChannelOpenStatus.Accepted)
            {
                return fresh;
            }

            Array.Copy(frame, offset, _aad, 0, SessionConstants.FrameHeaderSize);
            X3dh.SessionKeys.WriteNonce(c, _nonce, 0);
            bool authentic = _symmetric != null
                ? _symmetric.Open(_key, _nonce, _aad, 0, _aad.Length, frame, offset + SessionConstants.FrameHeaderSize, count - SessionConstants.FrameHeaderSize, plaintext, plaintextOffset)
                : _aead!.TryDecrypt(_key, 0, _nonce, 0, _aad, 0, _aad.Length, frame, offset + SessionConstants.FrameHeaderSize, count - SessionConstants.FrameHeaderSize, plaintext, plaintextOffset);
            if (!authentic)
            {
                return ChannelOpenStatus.Tampered;
            }

            _window.Mark(c);
            type = t;
            plaintextLength = length;
            counter = c;
            return ChannelOpenStatus.Accepted;
        }

        /// <summary>
        /// The replay window's state (highest accepted counter and the 128-bit map below it), for a receiver
        /// that outlives its process: the service persists it with every accepted frame (docs/session-protocol.md
        /// section 5, "Service"), so a restart neither replays old frames nor rejects fresh ones.
        /// </summary>
        public void ExportWindow(out bool any, out ulong top, out ulong low, out ulong high)
        {
            _window.Export(out any, out top, out low, out high);
        }

        /// <summary>Restores a window state taken by <see cref="ExportWindow"/> for the same key and epoch.</summary>
        public void RestoreWindow(bool any, ulong top, ulong low, ulong high)
        {
            _window.Restore(any, top, low, high);
        }

        /// <summary>Zeroes the key; the receiver must not be used afterwards.</summary>
        public void Clear()
        {
            FixedTime.Zero(_key);
        }
    }
}
