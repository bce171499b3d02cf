using Enrollment.Protocol.Crypto;

namespace Enrollment.Protocol.Session
{
    /// <summary>Why the device starts a rekey (byte 34 of the rekey init; informative, bound into the transcript).</summary>
    public enum RekeyReason : byte
    {
        /// <summary>No rekey is due (never on the wire).</summary>
        None = 0,

        /// <summary>The device started without usable session keys (a reboot that lost them, or none persisted).</summary>
        Boot = 1,

        /// <summary>The epoch's message limit N was reached.</summary>
        Messages = 2,

        /// <summary>The epoch's age limit T was reached.</summary>
        Time = 3,

        /// <summary>Asked for by a command, after an identity rotation, or by the device's own choice.</summary>
        Requested = 4,
    }

    /// <summary>Outcome of one step of the rekey handshake (docs/session-protocol.md section 7).</summary>
    public enum RekeyStatus
    {
        /// <summary>The step succeeded.</summary>
        Completed = 0,

        /// <summary>Wrong size, version, type or a reserved value.</summary>
        Malformed = 1,

        /// <summary>A DH output was all zero: the peer sent a low-order public key (RFC 7748 section 6.1).</summary>
        WeakKey = 2,

        /// <summary>The key confirmation did not verify: not the expected peer, or a tampered message.</summary>
        BadConfirmation = 3,

        /// <summary>The response's epoch is not above the epoch the device already has (a stale or replayed response).</summary>
        StaleEpoch = 4,

        /// <summary>The step was already taken, or taken out of order.</summary>
        WrongState = 5,
    }

    /// <summary>
    /// The keys of one epoch: K_up and K_down (docs/session-protocol.md section 7.4), each used with
    /// counters from 0. Callers build a <see cref="ChannelSender"/> and a <see cref="ChannelReceiver"/> from them
    /// and then <see cref="Clear"/> this object.
    /// </summary>
    public sealed class EpochKeys
    {
        internal EpochKeys(uint epoch, byte[] up, byte[] down)
        {
            Epoch = epoch;
            Up = up;
            Down = down;
        }

        /// <summary>The epoch number carried by every frame sealed under these keys.</summary>
        public uint Epoch { get; }

        /// <summary>Device-to-service key.</summary>
        public byte[] Up { get; }

        /// <summary>Service-to-device key.</summary>
        public byte[] Down { get; }

        /// <summary>The keys of epoch 0: K_up and K_down of the enrollment (docs/protocol.md section 13), copied.</summary>
        public static EpochKeys FromEnrollment(byte[] up, byte[] down)
        {
            ChannelFrame.CheckKey(up, nameof(up));
            ChannelFrame.CheckKey(down, nameof(down));
            return new EpochKeys(0, ChannelFrame.Copy(up), ChannelFrame.Copy(down));
        }

        /// <summary>The keys of epoch 0 from the enrollment's <see cref="X3dh.SessionKeys"/>, copied.</summary>
        public static EpochKeys FromEnrollment(X3dh.SessionKeys keys)
        {
            if (keys == null)
            {
                throw new System.ArgumentNullException(nameof(keys));
            }

            return FromEnrollment(keys.Up, keys.Down);
        }

        /// <summary>Zeroes both keys.</summary>
        public void Clear()
        {
            FixedTime.Zero(Up);
            FixedTime.Zero(Down);
        }
    }
}
