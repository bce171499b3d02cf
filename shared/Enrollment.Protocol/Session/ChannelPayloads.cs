using System;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Session
{
    /// <summary>
    /// Plaintext layouts inside channel frames (docs/session-protocol.md section 6). Readers work on the
    /// receiver's plaintext buffer in place and allocate nothing; a reader returns false for any format error
    /// (an authentic but malformed payload is a peer bug, reported as such). Telemetry is opaque and has no
    /// layout here.
    /// </summary>
    public static class ChannelPayloads
    {
        /// <summary>Command payload prefix: command id (4).</summary>
        public const int CommandHeaderSize = 4;

        /// <summary>Acknowledgement prefix: command id (4) || status (1).</summary>
        public const int AcknowledgementHeaderSize = 5;

        /// <summary>Revocation payload: revoked-at time (8) || reason (1).</summary>
        public const int RevocationSize = 9;

        /// <summary>Rotation result payload: IK_B' (32) || status (1).</summary>
        public const int RotationResultSize = 33;

        /// <summary>Writes command id || body at <paramref name="output"/>[<paramref name="offset"/>..]; returns the payload length.</summary>
        public static int WriteCommand(uint commandId, byte[] body, int bodyOffset, int bodyLength, byte[] output, int offset)
        {
            return WritePrefixed(commandId, -1, body, bodyOffset, bodyLength, output, offset, CommandHeaderSize);
        }

        /// <summary>Reads a command payload: its id and where its body lies in the same buffer.</summary>
        public static bool TryReadCommand(byte[] payload, int offset, int count, out uint commandId, out int bodyOffset, out int bodyLength)
        {
            Wire.CheckRange(payload, offset, count);
            commandId = 0;
            bodyOffset = 0;
            bodyLength = 0;
            if (count < CommandHeaderSize)
            {
                return false;
            }

            commandId = Wire.ReadUInt32(payload, offset);
            bodyOffset = offset + CommandHeaderSize;
            bodyLength = count - CommandHeaderSize;
            return true;
        }

        /// <summary>Writes command id || status || detail; returns the payload length.</summary>
        public static int WriteAcknowledgement(uint commandId, AcknowledgementStatus status, byte[] detail, int detailOffset, int detailLength, byte[] output, int offset)
        {
            if (status != AcknowledgementStatus.Done && status != AcknowledgementStatus.Failed && status != AcknowledgementStatus.Unsupported)
            {
                throw new ArgumentOutOfRangeException(nameof(status));
            }

            return WritePrefixed(commandId, (int)status, detail, detailOffset, detailLength, output, offset, AcknowledgementHeaderSize);
        }

        /// <summary>Reads an acknowledgement: the command id it answers, its status and where its detail lies.</summary>
        public static bool TryReadAcknowledgement(byte[] payload, int offset, int count, out uint commandId, out AcknowledgementStatus status, out int detailOffset, out int detailLength)
        {
            Wire.CheckRange(payload, offset, count);
            commandId = 0;
            status = AcknowledgementStatus.Done;
            detailOffset = 0;
            detailLength = 0;
            if (count < AcknowledgementHeaderSize || payload[offset + 4] > (byte)AcknowledgementStatus.Unsupported)
            {
                return false;
            }

            commandId = Wire.ReadUInt32(payload, offset);
            status = (AcknowledgementStatus)payload[offset + 4];
            detailOffset = offset + AcknowledgementHeaderSize;
            detailLength = count - AcknowledgementHeaderSize;
            return true;
        }

        /// <summary>Writes a revocation notice payload; returns <see cref="RevocationSize"/>.</summary>
        public static int WriteRevocation(long revokedAt, RevocationReason reason, byte[] output, int offset)
        {
            if (revokedAt < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(revokedAt));
            }

            if (!IsRevocationReason((int)reason))
            {
                throw new ArgumentOutOfRangeException(nameof(reason));
            }

            Wire.CheckRange(output, offset, RevocationSize);
            Wire.WriteUInt64(output, offset, (ulong)revokedAt);
            output[offset + 8] = (byte)reason;
            return RevocationSize;
        }

        /// <summary>Reads a revocation notice payload (exactly 9 bytes, time below 2^63, a known reason).</summary>
        public static bool TryReadRevocation(byte[] payload, int offset, int count, out long revokedAt, out RevocationReason reason)
        {
            Wire.CheckRange(payload, offset, count);
            revokedAt = 0;
            reason = RevocationReason.Operator;
            ulong t = count == RevocationSize ? Wire.ReadUInt64(payload, offset) : 0;
            if (count != RevocationSize || t > (ulong)ProtocolConstants.MaxTime || !IsRevocationReason(payload[offset + 8]))
            {
                return false;
            }

            revokedAt = (long)t;
            reason = (RevocationReason)payload[offset + 8];
            return true;
        }

        /// <summary>Writes a rotation result: the new identity key it answers and whether it was accepted.</summary>
        public static int WriteRotationResult(byte[] newIdentityKey, bool accepted, byte[] output, int offset)
        {
            Wire.CheckLength(newIdentityKey, ProtocolConstants.KeySize, nameof(newIdentityKey));
            Wire.CheckRange(output, offset, RotationResultSize);
            Array.Copy(newIdentityKey, 0, output, offset, ProtocolConstants.KeySize);
            output[offset + 32] = accepted ? (byte)0 : (byte)1;
            return RotationResultSize;
        }

        /// <summary>Reads a rotation result; <paramref name="keyOffset"/> locates IK_B' in the buffer.</summary>
        public static bool TryReadRotationResult(byte[] payload, int offset, int count, out int keyOffset, out bool accepted)
        {
            Wire.CheckRange(payload, offset, count);
            keyOffset = offset;
            accepted = false;
            if (count != RotationResultSize || payload[offset + 32] > 1)
            {
                return false;
            }

            accepted = payload[offset + 32] == 0;
            return true;
        }

        private static bool IsRevocationReason(int reason)
        {
            return reason >= (int)RevocationReason.Operator && reason <= (int)RevocationReason.Decommissioned;
        }

        private static int WritePrefixed(uint id, int status, byte[] body, int bodyOffset, int bodyLength, byte[] output, int offset, int prefix)
        {
            Wire.CheckRange(body, bodyOffset, bodyLength);
            if (bodyLength > SessionConstants.MaxPayloadSize - prefix)
            {
                throw new ArgumentOutOfRangeException(nameof(bodyLength));
            }

            Wire.CheckRange(output, offset, prefix + bodyLength);
            Array.Copy(body, bodyOffset, output, offset + prefix, bodyLength);
            Wire.WriteUInt32(output, offset, id);
            if (status >= 0)
            {
                output[offset + 4] = (byte)status;
            }

            return prefix + bodyLength;
        }
    }

    /// <summary>Status byte of an acknowledgement (docs/session-protocol.md section 6.2).</summary>
    public enum AcknowledgementStatus : byte
    {
        /// <summary>The command was carried out.</summary>
        Done = 0,

        /// <summary>The command was understood but failed; the detail may say why.</summary>
        Failed = 1,

        /// <summary>The device does not know this command.</summary>
        Unsupported = 2,
    }

    /// <summary>Reason byte of a revocation notice (docs/session-protocol.md section 6.3); informative only.</summary>
    public enum RevocationReason : byte
    {
        /// <summary>An operator revoked the device.</summary>
        Operator = 1,

        /// <summary>The device's keys are believed compromised.</summary>
        Compromised = 2,

        /// <summary>The device is being retired.</summary>
        Decommissioned = 3,
    }
}
