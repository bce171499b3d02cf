using System;
using System.Diagnostics.CodeAnalysis;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// The device's side of the rekey handshake (docs/session-protocol.md section 7): a Noise-KK-like
    /// three-DH exchange authenticated by IK_B and IK_A with fresh ephemeral keys, so a later theft of either
    /// identity key does not reveal past epochs' keys (forward secrecy). It needs only IK_B private and IK_A
    /// public, so a device that rebooted and lost its session keys can run it without the enroller.
    /// <code>
    /// device                                   service
    /// init     = 0x20 01 || e_B || reason   -&gt;
    ///                                       &lt;-  response = 0x21 01 || e_A || epoch || tag_s
    /// confirm  = 0x22 01 || epoch || tag_d  -&gt;
    /// </code>
    /// </summary>
    public sealed class RekeyInitiator
    {
        private readonly IX3dhPrimitives _p;
        private readonly byte[] _identityPrivate;
        private readonly byte[] _ephemeralPrivate;
        private readonly byte[] _serviceIdentity;
        private bool _done;

        private RekeyInitiator(IX3dhPrimitives p, byte[] identityPrivate, byte[] serviceIdentity, byte[] ephemeralPrivate, byte[] init, RekeyTranscript transcript)
        {
            _p = p;
            _identityPrivate = identityPrivate;
            _serviceIdentity = serviceIdentity;
            _ephemeralPrivate = ephemeralPrivate;
            InitMessage = init;
            Transcript = transcript;
        }

        /// <summary>Message 1 to publish on the device's up topic (35 bytes).</summary>
        public byte[] InitMessage { get; }

        internal RekeyTranscript Transcript { get; }

        /// <summary>
        /// Starts a handshake: builds message 1 with the public key of <paramref name="ephemeralPrivateKey"/>
        /// (32 fresh random bytes, used for this handshake only). All keys are copied (the copies are erased
        /// when the handshake completes or is abandoned); the caller erases its own ephemeral array.
        /// </summary>
        public static RekeyInitiator Start(IX3dhPrimitives primitives, byte[] deviceIdentityPrivateKey, byte[] serviceIdentityPublicKey, string deviceId, byte[] ephemeralPrivateKey, RekeyReason reason)
        {
            return Start(primitives, deviceIdentityPrivateKey, serviceIdentityPublicKey, deviceId, ephemeralPrivateKey, reason, new RekeyTranscript());
        }

        internal static RekeyInitiator Start(IX3dhPrimitives primitives, byte[] deviceIdentityPrivateKey, byte[] serviceIdentityPublicKey, string deviceId, byte[] ephemeralPrivateKey, RekeyReason reason, RekeyTranscript transcript)
        {
            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            Wire.CheckLength(deviceIdentityPrivateKey, ProtocolConstants.KeySize, nameof(deviceIdentityPrivateKey));
            Wire.CheckLength(serviceIdentityPublicKey, ProtocolConstants.KeySize, nameof(serviceIdentityPublicKey));
            Wire.CheckLength(ephemeralPrivateKey, ProtocolConstants.KeySize, nameof(ephemeralPrivateKey));
            ChannelFrame.CheckDeviceId(deviceId);
            if (reason < RekeyReason.Boot || reason > RekeyReason.Requested)
            {
                throw new ArgumentOutOfRangeException(nameof(reason));
            }

            transcript.Symmetric = primitives as IX3dhSymmetricPrimitives;
            byte[] init = new byte[SessionConstants.RekeyInitSize];
            init[0] = (byte)ChannelMessageType.RekeyInit;
            init[1] = ProtocolConstants.Version;
            primitives.PublicKey(ephemeralPrivateKey, 0, init, 2);
            init[34] = (byte)reason;
            byte[] identityPublic = new byte[ProtocolConstants.KeySize];
            primitives.PublicKey(deviceIdentityPrivateKey, 0, identityPublic, 0);
            transcript.HashInit(serviceIdentityPublicKey, identityPublic, deviceId, init, 0);
            return new RekeyInitiator(primitives, ChannelFrame.Copy(deviceIdentityPrivateKey), ChannelFrame.Copy(serviceIdentityPublicKey), ChannelFrame.Copy(ephemeralPrivateKey), init, transcript);
        }

        /// <summary>
        /// Processes message 2. On <see cref="RekeyStatus.Completed"/> returns message 3 (22 bytes, to publish
        /// before sending under the new keys) and the new epoch's keys, and erases the ephemeral key. Any other
        /// status leaves the handshake waiting: an injected response cannot end it. The response's epoch must
        /// be above <paramref name="lastEpoch"/> (the epoch the device holds, 0 if it holds none).
        /// </summary>
        public RekeyStatus Finish(byte[] response, int offset, int count, uint lastEpoch, [NotNullWhen(true)] out byte[]? confirm, [NotNullWhen(true)] out EpochKeys? keys)
        {
            Wire.CheckRange(response, offset, count);
            confirm = null;
            keys = null;
            if (_done)
            {
                return RekeyStatus.WrongState;
            }

            if (count != SessionConstants.RekeyResponseSize || response[offset] != (byte)ChannelMessageType.RekeyResponse
                || response[offset + 1] != ProtocolConstants.Version)
            {
                return RekeyStatus.Malformed;
            }

            uint epoch = Wire.ReadUInt32(response, offset + 34);
            if (epoch <= lastEpoch)
            {
                return RekeyStatus.StaleEpoch;
            }

            byte[] dh1 = new byte[32];
            byte[] dh2 = new byte[32];
            byte[] dh3 = new byte[32];
            _p.Dh(_ephemeralPrivate, 0, _serviceIdentity, 0, dh1, 0);   // DH(e_B, IK_A): authenticates the service
            _p.Dh(_identityPrivate, 0, response, offset + 2, dh2, 0);   // DH(IK_B, e_A): authenticates the device
            _p.Dh(_ephemeralPrivate, 0, response, offset + 2, dh3, 0);  // DH(e_B, e_A): forward secrecy
            Transcript.HashResponse(response, offset);
            bool derived = Transcript.Derive(dh1, dh2, dh3);
            FixedTime.Zero(dh1);
            FixedTime.Zero(dh2);
            FixedTime.Zero(dh3);
            if (!derived)
            {
                return RekeyStatus.WeakKey;
            }

            byte[] expected = new byte[SessionConstants.TagSize];
            Transcript.ServiceTag(expected, 0);
            if (!FixedTime.Equals(expected, 0, response, offset + 38, SessionConstants.TagSize))
            {
                Transcript.Clear();
                return RekeyStatus.BadConfirmation;
            }

            byte[] message = new byte[SessionConstants.RekeyConfirmSize];
            message[0] = (byte)ChannelMessageType.RekeyConfirm;
            message[1] = ProtocolConstants.Version;
            Wire.WriteUInt32(message, 2, epoch);
            Transcript.DeviceTag(message, 0, message, 6);
            keys = Transcript.TakeKeys(epoch);
            confirm = message;
            Clear();
            return RekeyStatus.Completed;
        }

        /// <summary>Abandons the handshake and zeroes the private keys it holds.</summary>
        public void Clear()
        {
            _done = true;
            FixedTime.Zero(_ephemeralPrivate);
            FixedTime.Zero(_identityPrivate);
        }
    }
}
