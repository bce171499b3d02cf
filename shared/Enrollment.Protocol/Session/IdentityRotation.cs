using System;
using System.Diagnostics.CodeAnalysis;
using Enrollment.Protocol.Crypto;
using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Identity rotation (docs/session-protocol.md section 8): the device replaces IK_B with IK_B' by sending,
    /// inside a channel frame of type 0x14, the payload <c>IK_B' (32) || sig_old (64) || sig_new (64)</c> where
    /// <code>
    /// B       = IK_A (32) || IK_B (32) || IK_B' (32) || D (1) || device id (D)
    /// sig_old = XEdDSA-Sign(IK_B,  "OCKAM-ROTATE-OLD-v1" || B, Z1)   the current identity endorses the new key
    /// sig_new = XEdDSA-Sign(IK_B', "OCKAM-ROTATE-NEW-v1" || B, Z2)   the new key's holder agrees (possession)
    /// </code>
    /// The frame already authenticates the sender as the current session's device; the signatures make the
    /// statement verifiable later, from the audit history alone, and bind it to this service and device id.
    /// </summary>
    public static class IdentityRotation
    {
        /// <summary>Payload size: 32 + 64 + 64.</summary>
        public const int RequestSize = 160;

        /// <summary>Builds the request payload (device side). Z1 and Z2 are 64 fresh random bytes each.</summary>
        public static byte[] CreateRequest(IX3dhPrimitives primitives, byte[] serviceIdentityPublicKey, byte[] currentIdentityPrivateKey, byte[] newIdentityPrivateKey, string deviceId, byte[] oldSignatureRandom, byte[] newSignatureRandom)
        {
            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            Wire.CheckLength(serviceIdentityPublicKey, ProtocolConstants.KeySize, nameof(serviceIdentityPublicKey));
            Wire.CheckLength(currentIdentityPrivateKey, ProtocolConstants.KeySize, nameof(currentIdentityPrivateKey));
            Wire.CheckLength(newIdentityPrivateKey, ProtocolConstants.KeySize, nameof(newIdentityPrivateKey));
            Wire.CheckLength(oldSignatureRandom, ProtocolConstants.SignatureRandomSize, nameof(oldSignatureRandom));
            Wire.CheckLength(newSignatureRandom, ProtocolConstants.SignatureRandomSize, nameof(newSignatureRandom));
            ChannelFrame.CheckDeviceId(deviceId);
            byte[] current = new byte[ProtocolConstants.KeySize];
            primitives.PublicKey(currentIdentityPrivateKey, 0, current, 0);
            byte[] request = new byte[RequestSize];
            primitives.PublicKey(newIdentityPrivateKey, 0, request, 0);
            byte[] message = SigningInput(SessionConstants.RotateOldLabel, serviceIdentityPublicKey, current, request, 0, deviceId);
            primitives.Sign(currentIdentityPrivateKey, 0, message, 0, message.Length, oldSignatureRandom, 0, request, 32);
            SetLabel(message, SessionConstants.RotateNewLabel);
            primitives.Sign(newIdentityPrivateKey, 0, message, 0, message.Length, newSignatureRandom, 0, request, 96);
            return request;
        }

        /// <summary>
        /// Verifies a request payload (service side, after the frame opened under the device's current
        /// epoch). <paramref name="currentIdentityPublicKey"/> is the IK_B the service holds for the device.
        /// On <see cref="RotationStatus.Valid"/> returns IK_B' (to record, with the payload, in the identity history).
        /// </summary>
        public static RotationStatus Verify(IX3dhPrimitives primitives, byte[] serviceIdentityPublicKey, byte[] currentIdentityPublicKey, string deviceId, byte[] payload, int offset, int count, [NotNullWhen(true)] out byte[]? newIdentityPublicKey)
        {
            if (primitives == null)
            {
                throw new ArgumentNullException(nameof(primitives));
            }

            Wire.CheckLength(serviceIdentityPublicKey, ProtocolConstants.KeySize, nameof(serviceIdentityPublicKey));
            Wire.CheckLength(currentIdentityPublicKey, ProtocolConstants.KeySize, nameof(currentIdentityPublicKey));
            Wire.CheckRange(payload, offset, count);
            ChannelFrame.CheckDeviceId(deviceId);
            newIdentityPublicKey = null;
            if (count != RequestSize)
            {
                return RotationStatus.Malformed;
            }

            if (FixedTime.Equals(payload, offset, currentIdentityPublicKey, 0, ProtocolConstants.KeySize)
                || FixedTime.Equals(payload, offset, serviceIdentityPublicKey, 0, ProtocolConstants.KeySize))
            {
                return RotationStatus.SameKey;
            }

            if (IsLowOrder(primitives, payload, offset))
            {
                return RotationStatus.WeakKey;
            }

            byte[] message = SigningInput(SessionConstants.RotateOldLabel, serviceIdentityPublicKey, currentIdentityPublicKey, payload, offset, deviceId);
            if (!primitives.Verify(currentIdentityPublicKey, 0, message, 0, message.Length, payload, offset + 32))
            {
                return RotationStatus.BadOldSignature;
            }

            SetLabel(message, SessionConstants.RotateNewLabel);
            if (!primitives.Verify(payload, offset, message, 0, message.Length, payload, offset + 96))
            {
                return RotationStatus.BadNewSignature;
            }

            newIdentityPublicKey = Wire.Slice(payload, offset, ProtocolConstants.KeySize);
            return RotationStatus.Valid;
        }

        /// <summary>label || IK_A || IK_B || IK_B' || D || device id (both labels are 19 bytes).</summary>
        internal static byte[] SigningInput(byte[] label, byte[] serviceIdentity, byte[] current, byte[] next, int nextOffset, string deviceId)
        {
            byte[] id = ChannelFrame.NewAad(deviceId);
            int idLength = id.Length - SessionConstants.FrameHeaderSize;
            byte[] m = new byte[label.Length + 3 * ProtocolConstants.KeySize + idLength];
            Array.Copy(label, 0, m, 0, label.Length);
            Array.Copy(serviceIdentity, 0, m, label.Length, 32);
            Array.Copy(current, 0, m, label.Length + 32, 32);
            Array.Copy(next, nextOffset, m, label.Length + 64, 32);
            Array.Copy(id, SessionConstants.FrameHeaderSize, m, label.Length + 96, idLength);
            return m;
        }

        private static void SetLabel(byte[] message, byte[] label)
        {
            Array.Copy(label, 0, message, 0, label.Length);
        }

        /// <summary>
        /// A low-order u-coordinate (RFC 7748 section 6.1) would make every later DH with IK_B' zero, and lets
        /// a "possession" signature be forged without a private key; X25519 with any clamped scalar (a
        /// multiple of 8) maps exactly those points to zero, so one multiplication by a public constant tells.
        /// </summary>
        private static bool IsLowOrder(IX3dhPrimitives primitives, byte[] key, int offset)
        {
            byte[] scalar = new byte[ProtocolConstants.KeySize];
            scalar[0] = 8;
            byte[] output = new byte[ProtocolConstants.KeySize];
            primitives.Dh(scalar, 0, key, offset, output, 0);
            return FixedTime.IsZero(output, 0, output.Length);
        }
    }

    /// <summary>Outcome of <see cref="IdentityRotation.Verify"/>.</summary>
    public enum RotationStatus
    {
        /// <summary>Both signatures verify: record IK_B' and answer with an accepted rotation result.</summary>
        Valid = 0,

        /// <summary>Not a 160-byte payload.</summary>
        Malformed = 1,

        /// <summary>IK_B' equals the current IK_B or IK_A.</summary>
        SameKey = 2,

        /// <summary>IK_B' is a low-order point.</summary>
        WeakKey = 3,

        /// <summary>The current IK_B did not sign: not an endorsement by the enrolled identity.</summary>
        BadOldSignature = 4,

        /// <summary>IK_B' did not sign: the sender has not shown it holds the new private key.</summary>
        BadNewSignature = 5,
    }
}
