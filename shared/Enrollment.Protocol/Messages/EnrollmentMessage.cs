using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The enrollment message (docs/protocol.md "Enrollment message", type 0x02): OP-0006's X3DH initial
    /// message. A 74-byte plaintext header (type, version, EK_B, Hash(EIK_B), SPK id, OPK id) followed by the
    /// 112-byte AEAD ciphertext of IK_B || XEdDSA signature. Decoding does no public-key work, so the service
    /// can run its cheap checks (EK_B seen? id known? expired? OPK bound?) on the header before any crypto.
    /// </summary>
    public sealed class EnrollmentMessage
    {
        /// <summary>Plaintext header size: 2 + 32 + 32 + 4 + 4.</summary>
        public const int HeaderSize = 74;

        /// <summary>Body plaintext size: IK_B (32) + signature (64).</summary>
        public const int BodySize = 96;

        /// <summary>Body ciphertext size: body plaintext + Poly1305 tag.</summary>
        public const int CiphertextSize = BodySize + ProtocolConstants.AeadTagSize;

        /// <summary>The whole message: every enrollment message is exactly this long.</summary>
        public const int Size = HeaderSize + CiphertextSize;

        /// <summary>Creates a message from its fields (arrays copied, lengths checked).</summary>
        public EnrollmentMessage(byte[] ephemeralKey, byte[] enrolleeId, uint signedPreKeyId, uint oneTimePreKeyId, byte[] ciphertext)
        {
            Wire.CheckLength(ephemeralKey, ProtocolConstants.KeySize, nameof(ephemeralKey));
            Wire.CheckLength(enrolleeId, ProtocolConstants.HashSize, nameof(enrolleeId));
            Wire.CheckLength(ciphertext, CiphertextSize, nameof(ciphertext));
            EphemeralKey = Wire.Slice(ephemeralKey, 0, ephemeralKey.Length);
            EnrolleeId = Wire.Slice(enrolleeId, 0, enrolleeId.Length);
            SignedPreKeyId = signedPreKeyId;
            OneTimePreKeyId = oneTimePreKeyId;
            Ciphertext = Wire.Slice(ciphertext, 0, ciphertext.Length);
        }

        /// <summary>EK_B: the enrollee's ephemeral X25519 public key, fresh for every attempt.</summary>
        public byte[] EphemeralKey { get; }

        /// <summary>Hash(EIK_B) = SHA-256 of the enrollee's enrollment identity public key (its id).</summary>
        public byte[] EnrolleeId { get; }

        /// <summary>Id of the SPK_A the enrollee used.</summary>
        public uint SignedPreKeyId { get; }

        /// <summary>Id of the OPK_A the enrollee used.</summary>
        public uint OneTimePreKeyId { get; }

        /// <summary>AEAD ciphertext and tag of IK_B || XEdDSA(IK_B, ...).</summary>
        public byte[] Ciphertext { get; }

        /// <summary>The encoded message (always <see cref="Size"/> bytes).</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[Size];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the message at <paramref name="offset"/>; returns <see cref="Size"/>.</summary>
        public int Encode(byte[] output, int offset)
        {
            Wire.CheckRange(output, offset, Size);
            WriteHeader(output, offset);
            Array.Copy(Ciphertext, 0, output, offset + HeaderSize, CiphertextSize);
            return Size;
        }

        /// <summary>Writes the 74-byte header (the first part of the AAD).</summary>
        internal void WriteHeader(byte[] output, int offset)
        {
            MessageHeader.Write(output, offset, MessageType.Enrollment);
            int p = offset + MessageHeader.Size;
            Array.Copy(EphemeralKey, 0, output, p, ProtocolConstants.KeySize);
            Array.Copy(EnrolleeId, 0, output, p + 32, ProtocolConstants.HashSize);
            Wire.WriteUInt32(output, p + 64, SignedPreKeyId);
            Wire.WriteUInt32(output, p + 68, OneTimePreKeyId);
        }

        /// <summary>
        /// Decodes exactly <paramref name="count"/> bytes; false (and null) on a wrong type or version or a
        /// length other than <see cref="Size"/>. No cryptography happens here.
        /// </summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out EnrollmentMessage? message)
        {
            Wire.CheckRange(buffer, offset, count);
            message = null;
            if (count != Size || !MessageHeader.Matches(buffer, offset, count, MessageType.Enrollment))
            {
                return false;
            }

            int p = offset + MessageHeader.Size;
            message = new EnrollmentMessage(
                Wire.Slice(buffer, p, ProtocolConstants.KeySize),
                Wire.Slice(buffer, p + 32, ProtocolConstants.HashSize),
                Wire.ReadUInt32(buffer, p + 64),
                Wire.ReadUInt32(buffer, p + 68),
                Wire.Slice(buffer, offset + HeaderSize, CiphertextSize));
            return true;
        }
    }
}
