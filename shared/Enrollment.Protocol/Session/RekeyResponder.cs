using System;
using System.Diagnostics.CodeAnalysis;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// The service's side of the rekey handshake (docs/session-protocol.md section 7). <see cref="Respond"/>
    /// answers message 1 with a fresh e_A, the new epoch and a key confirmation; the resulting object is the
    /// pending handshake, which <see cref="Confirm"/> completes when the device's message 3 proves it holds
    /// IK_B. The service switches to the new epoch only then, so a replayed or forged message 1 costs it
    /// three DHs and changes nothing.
    /// </summary>
    public sealed class RekeyResponder
    {
        private readonly string _deviceId;
        private bool _done;

        private RekeyResponder(uint epoch, RekeyReason reason, byte[] response, string deviceId, RekeyTranscript transcript)
        {
            _deviceId = deviceId;
            Epoch = epoch;
            Reason = reason;
            ResponseMessage = response;
            Transcript = transcript;
        }

        /// <summary>The epoch this handshake creates.</summary>
        public uint Epoch { get; }

        /// <summary>The reason the device gave (informative; for metrics and audit).</summary>
        public RekeyReason Reason { get; }

        /// <summary>Message 2 to publish on the device's down topic (54 bytes).</summary>
        public byte[] ResponseMessage { get; }

        internal RekeyTranscript Transcript { get; }

        /// <summary>
        /// Checks message 1 and answers it. <paramref name="deviceIdentityPublicKey"/> is the IK_B the service
        /// holds for <paramref name="deviceId"/> (the device named by the topic the message came on);
        /// <paramref name="ephemeralPrivateKey"/> is 32 fresh random bytes; <paramref name="newEpoch"/> is the
        /// highest epoch the service has offered this device + 1 (at least 1; docs/session-protocol.md section
        /// 7.6). Nothing here keeps e_A's private key: the caller erases its array after this call.
        /// </summary>
        public static RekeyStatus Respond(IX3dhPrimitives primitives, byte[] serviceIdentityPrivateKey, byte[] deviceIdentityPublicKey, string deviceId, byte[] init, int offset, int count, byte[] ephemeralPrivateKey, uint newEpoch, [NotNullWhen(true)] out RekeyResponder? responder)
        {
            return Respond(primitives, serviceIdentityPrivateKey, deviceIdentityPublicKey, deviceId, init, offset, count, ephemeralPrivateKey, newEpoch, new RekeyTranscript(), out responder);
        }

        internal static RekeyStatus Respond(IX3dhPrimitives primitives, byte[] serviceIdentityPrivateKey, byte[] deviceIdentityPublicKey, string deviceId, byte[] init, int offset, int count, byte[] ephemeralPrivateKey, uint newEpoch, RekeyTranscript transcript, [NotNullWhen(true)] out RekeyResponder? responder)
        {
            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            Wire.CheckLength(serviceIdentityPrivateKey, ProtocolConstants.KeySize, nameof(serviceIdentityPrivateKey));
            Wire.CheckLength(deviceIdentityPublicKey, ProtocolConstants.KeySize, nameof(deviceIdentityPublicKey));
            Wire.CheckLength(ephemeralPrivateKey, ProtocolConstants.KeySize, nameof(ephemeralPrivateKey));
            ChannelFrame.CheckDeviceId(deviceId);
            Wire.CheckRange(init, offset, count);
            if (newEpoch == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(newEpoch), "epoch 0 belongs to the enrollment");
            }

            responder = null;
            if (count != SessionConstants.RekeyInitSize || init[offset] != (byte)ChannelMessageType.RekeyInit
                || init[offset + 1] != ProtocolConstants.Version
                || init[offset + 34] < (byte)RekeyReason.Boot || init[offset + 34] > (byte)RekeyReason.Requested)
            {
                return RekeyStatus.Malformed;
            }

            transcript.Symmetric = primitives as IX3dhSymmetricPrimitives;
            byte[] serviceIdentity = new byte[ProtocolConstants.KeySize];
            primitives.PublicKey(serviceIdentityPrivateKey, 0, serviceIdentity, 0);
            transcript.HashInit(serviceIdentity, deviceIdentityPublicKey, deviceId, init, offset);

            byte[] response = new byte[SessionConstants.RekeyResponseSize];
            response[0] = (byte)ChannelMessageType.RekeyResponse;
            response[1] = ProtocolConstants.Version;
            primitives.PublicKey(ephemeralPrivateKey, 0, response, 2);
            Wire.WriteUInt32(response, 34, newEpoch);
            transcript.HashResponse(response, 0);

            byte[] dh1 = new byte[32];
            byte[] dh2 = new byte[32];
            byte[] dh3 = new byte[32];
            primitives.Dh(serviceIdentityPrivateKey, 0, init, offset + 2, dh1, 0);   // DH(IK_A, e_B)
            primitives.Dh(ephemeralPrivateKey, 0, deviceIdentityPublicKey, 0, dh2, 0); // DH(e_A, IK_B)
            primitives.Dh(ephemeralPrivateKey, 0, init, offset + 2, dh3, 0);          // DH(e_A, e_B)
            bool derived = transcript.Derive(dh1, dh2, dh3);
            FixedTime.Zero(dh1);
            FixedTime.Zero(dh2);
            FixedTime.Zero(dh3);
            if (!derived)
            {
                return RekeyStatus.WeakKey;
            }

            transcript.ServiceTag(response, 38);
            responder = new RekeyResponder(newEpoch, (RekeyReason)init[offset + 34], response, deviceId, transcript);
            return RekeyStatus.Completed;
        }

        /// <summary>
        /// Checks message 3; on <see cref="RekeyStatus.Completed"/> returns the new epoch's keys (the service
        /// then replaces the device's epoch). A bad confirmation leaves the handshake pending.
        /// </summary>
        public RekeyStatus Confirm(byte[] confirm, int offset, int count, [NotNullWhen(true)] out EpochKeys? keys)
        {
            Wire.CheckRange(confirm, offset, count);
            keys = null;
            if (_done)
            {
                return RekeyStatus.WrongState;
            }

            if (count != SessionConstants.RekeyConfirmSize || confirm[offset] != (byte)ChannelMessageType.RekeyConfirm
                || confirm[offset + 1] != ProtocolConstants.Version || Wire.ReadUInt32(confirm, offset + 2) != Epoch)
            {
                return RekeyStatus.Malformed;
            }

            byte[] expected = new byte[SessionConstants.TagSize];
            Transcript.DeviceTag(confirm, offset, expected, 0);
            if (!FixedTime.Equals(expected, 0, confirm, offset + 6, SessionConstants.TagSize))
            {
                return RekeyStatus.BadConfirmation;
            }

            keys = Transcript.TakeKeys(Epoch);
            _done = true;
            return RekeyStatus.Completed;
        }

        /// <summary>
        /// Implicit confirmation (docs/session-protocol.md section 7.5), for when message 3 was lost: an up
        /// frame of this handshake's epoch that authenticates under the pending K_up proves the device derived
        /// the same keys, exactly as message 3 would (compare Noise's first transport message). On
        /// <see cref="RekeyStatus.Completed"/> the caller switches to the keys and opens the frame again with
        /// its new receiver. Any other frame leaves the handshake pending.
        /// </summary>
        public RekeyStatus ConfirmWithFrame(byte[] frame, int offset, int count, [NotNullWhen(true)] out EpochKeys? keys)
        {
            Wire.CheckRange(frame, offset, count);
            keys = null;
            if (_done)
            {
                return RekeyStatus.WrongState;
            }

            ChannelMessageType type;
            uint epoch;
            ulong counter;
            int length;
            if (!ChannelFrame.TryReadHeader(frame, offset, count, out type, out epoch, out counter) || epoch != Epoch || !ChannelFrame.IsUp(type))
            {
                return RekeyStatus.Malformed;
            }

            ChannelReceiver probe = new ChannelReceiver(Transcript.Up!, Epoch, _deviceId, ChannelDirection.Up, Transcript.Symmetric);
            byte[] scratch = new byte[count - SessionConstants.MinFrameSize];
            ChannelOpenStatus status = probe.Open(frame, offset, count, scratch, 0, out type, out length, out counter);
            probe.Clear();
            FixedTime.Zero(scratch);
            if (status != ChannelOpenStatus.Accepted)
            {
                return RekeyStatus.BadConfirmation;
            }

            keys = Transcript.TakeKeys(Epoch);
            _done = true;
            return RekeyStatus.Completed;
        }

        /// <summary>Abandons the pending handshake and zeroes its keys.</summary>
        public void Clear()
        {
            _done = true;
            Transcript.Clear();
        }
    }
}
