using System;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Seals channel frames in one direction of one epoch (docs/session-protocol.md sections 3 and 5):
    /// ChaCha20-Poly1305 under the direction's key with nonce = 0x00000000 || counter (docs/protocol.md
    /// section 13). Counters are used strictly increasing, and before a counter beyond the last reservation
    /// is used the sender asks its <see cref="ICounterStore"/> to persist <c>counter + block</c>; a restart
    /// resumes from the persisted value, so a nonce is never used twice under one key (RFC 8439 section 4)
    /// even across a power loss. Holds its AEAD state, nonce and AAD buffers, so sealing into a caller's
    /// buffer allocates nothing. A host with native code passes its <see cref="IX3dhSymmetricPrimitives"/>
    /// (the cloud: libsodium) and the AEAD runs there; the device runs this project's own. Not thread-safe:
    /// one sender per direction and owner.
    /// </summary>
    public sealed class ChannelSender
    {
        private readonly byte[] _key;
        private readonly ChannelDirection _direction;
        private readonly ICounterStore _store;
        private readonly ulong _block;
        private readonly byte[] _aad;
        private readonly byte[] _nonce = new byte[ProtocolConstants.AeadNonceSize];
        private readonly ChaCha20Poly1305? _aead;
        private readonly IX3dhSymmetricPrimitives? _symmetric;
        private ulong _next;
        private ulong _reserved;

        /// <summary>
        /// Creates a sender. <paramref name="firstCounter"/> is 0 for a new epoch, or the last value the store
        /// persisted for this epoch after a restart. The key is copied; call <see cref="Clear"/> when done.
        /// </summary>
        public ChannelSender(byte[] key, uint epoch, ulong firstCounter, string deviceId, ChannelDirection direction, ICounterStore store, int reservationBlock)
            : this(key, epoch, firstCounter, deviceId, direction, store, reservationBlock, null)
        {
        }

        /// <summary>As the constructor above, sealing with <paramref name="symmetric"/>'s ChaCha20-Poly1305 when not null.</summary>
        public ChannelSender(byte[] key, uint epoch, ulong firstCounter, string deviceId, ChannelDirection direction, ICounterStore store, int reservationBlock, IX3dhSymmetricPrimitives? symmetric)
        {
            ChannelFrame.CheckKey(key, nameof(key));
            if (store == null)
            {
                throw new ArgumentNullException(nameof(store));
            }

            if (reservationBlock < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(reservationBlock));
            }

            _key = ChannelFrame.Copy(key);
            _aad = ChannelFrame.NewAad(deviceId);
            Epoch = epoch;
            _direction = direction;
            _store = store;
            _block = (ulong)reservationBlock;
            _next = firstCounter;
            _reserved = firstCounter;
            _symmetric = symmetric;
            _aead = symmetric == null ? new ChaCha20Poly1305() : null;
        }

        /// <summary>The epoch this sender's key belongs to.</summary>
        public uint Epoch { get; }

        /// <summary>The counter the next frame will carry.</summary>
        public ulong NextCounter
        {
            get { return _next; }
        }

        /// <summary>The counter below which the store has been told counters may be used.</summary>
        public ulong Reserved
        {
            get { return _reserved; }
        }

        /// <summary>
        /// Seals <paramref name="payloadLength"/> bytes (at most <see cref="SessionConstants.MaxPayloadSize"/>)
        /// as a frame of <paramref name="type"/> at <paramref name="output"/>[<paramref name="outputOffset"/>..],
        /// which needs 30 + payloadLength bytes. The payload may already sit at outputOffset + 14 (in place).
        /// A type of the other direction, a bad length or a short buffer is the caller's mistake and throws.
        /// </summary>
        public ChannelSealStatus Seal(ChannelMessageType type, byte[] payload, int payloadOffset, int payloadLength, byte[] output, int outputOffset, out int frameLength)
        {
            frameLength = 0;
            if (!ChannelFrame.IsFrameType((int)type) || ChannelFrame.IsUp(type) != (_direction == ChannelDirection.Up))
            {
                throw new ArgumentException("not a frame type of this direction", nameof(type));
            }

            Wire.CheckRange(payload, payloadOffset, payloadLength);
            if (payloadLength > SessionConstants.MaxPayloadSize)
            {
                throw new ArgumentOutOfRangeException(nameof(payloadLength));
            }

            int length = SessionConstants.MinFrameSize + payloadLength;
            Wire.CheckRange(output, outputOffset, length);
            if (_next >= SessionConstants.CounterLimit)
            {
                return ChannelSealStatus.RekeyRequired;
            }

            if (_next >= _reserved)
            {
                // Persist before use: after a crash the device resumes at this value, above every counter used.
                ulong limit = SessionConstants.CounterLimit - _next < _block ? SessionConstants.CounterLimit : _next + _block;
                if (!_store.Reserve(Epoch, limit))
                {
                    return ChannelSealStatus.ReservationFailed;
                }

                _reserved = limit;
            }

            ulong counter = _next;
            _next = counter + 1;
            ChannelFrame.WriteHeader(_aad, 0, type, Epoch, counter);
            X3dh.SessionKeys.WriteNonce(counter, _nonce, 0);
            if (_symmetric != null)
            {
                _symmetric.Seal(_key, _nonce, _aad, 0, _aad.Length, payload, payloadOffset, payloadLength, output, outputOffset + SessionConstants.FrameHeaderSize);
            }
            else
            {
                _aead!.Encrypt(_key, 0, _nonce, 0, _aad, 0, _aad.Length, payload, payloadOffset, payloadLength, output, outputOffset + SessionConstants.FrameHeaderSize);
            }

            Array.Copy(_aad, 0, output, outputOffset, SessionConstants.FrameHeaderSize);
            frameLength = length;
            return ChannelSealStatus.Sealed;
        }

        /// <summary>Zeroes the key; the sender must not be used afterwards.</summary>
        public void Clear()
        {
            FixedTime.Zero(_key);
        }
    }
}
