using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The sealed enrollment result (docs/protocol.md "Enrollment result", type 0x03): header = type, version,
    /// EK_B of the attempt it answers, a 12-byte nonce chosen at random by the service; then the
    /// ChaCha20-Poly1305 ciphertext of an <see cref="EnrollmentOutcome"/> under K_result, with the header as AAD.
    /// This class is only the envelope; sealing and opening are in <c>Enrollment.Protocol.X3dh</c>.
    /// </summary>
    public sealed class EnrollmentResult
    {
        /// <summary>Header size: 2 + 32 + 12; these bytes are the AAD.</summary>
        public const int HeaderSize = 46;

        /// <summary>Smallest ciphertext: a rejection (5 bytes) plus the tag.</summary>
        public const int MinCiphertextSize = EnrollmentOutcome.RejectionSize + ProtocolConstants.AeadTagSize;

        /// <summary>Largest ciphertext: the largest outcome plus the tag.</summary>
        public const int MaxCiphertextSize = EnrollmentOutcome.MaxEncodedLength + ProtocolConstants.AeadTagSize;

        /// <summary>Smallest result message.</summary>
        public const int MinSize = HeaderSize + MinCiphertextSize;

        /// <summary>Largest result message (652 bytes).</summary>
        public const int MaxSize = HeaderSize + MaxCiphertextSize;

        /// <summary>Creates a result envelope (arrays copied, lengths checked).</summary>
        public EnrollmentResult(byte[] ephemeralKey, byte[] nonce, byte[] ciphertext)
        {
            Wire.CheckLength(ephemeralKey, ProtocolConstants.KeySize, nameof(ephemeralKey));
            Wire.CheckLength(nonce, ProtocolConstants.AeadNonceSize, nameof(nonce));
            if (ciphertext == null)
            {
                throw new ArgumentNullException(nameof(ciphertext));
            }

            if (ciphertext.Length < MinCiphertextSize || ciphertext.Length > MaxCiphertextSize)
            {
                throw new ArgumentException("ciphertext length out of range", nameof(ciphertext));
            }

            EphemeralKey = Wire.Slice(ephemeralKey, 0, ephemeralKey.Length);
            Nonce = Wire.Slice(nonce, 0, nonce.Length);
            Ciphertext = Wire.Slice(ciphertext, 0, ciphertext.Length);
        }

        /// <summary>EK_B of the enrollment message this answers (lets the enrollee ignore answers to other attempts).</summary>
        public byte[] EphemeralKey { get; }

        /// <summary>The AEAD nonce, random per sealing.</summary>
        public byte[] Nonce { get; }

        /// <summary>Ciphertext and tag of the outcome.</summary>
        public byte[] Ciphertext { get; }

        /// <summary>Bytes <see cref="Encode(byte[], int)"/> writes.</summary>
        public int EncodedLength
        {
            get { return HeaderSize + Ciphertext.Length; }
        }

        /// <summary>The encoded result.</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[EncodedLength];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the result at <paramref name="offset"/>; returns the bytes written.</summary>
        public int Encode(byte[] output, int offset)
        {
            int length = EncodedLength;
            Wire.CheckRange(output, offset, length);
            WriteHeader(output, offset);
            Array.Copy(Ciphertext, 0, output, offset + HeaderSize, Ciphertext.Length);
            return length;
        }

        /// <summary>Writes the 46-byte header (the AAD of the sealed outcome).</summary>
        internal void WriteHeader(byte[] output, int offset)
        {
            MessageHeader.Write(output, offset, MessageType.Result);
            Array.Copy(EphemeralKey, 0, output, offset + 2, ProtocolConstants.KeySize);
            Array.Copy(Nonce, 0, output, offset + 34, ProtocolConstants.AeadNonceSize);
        }

        /// <summary>Decodes exactly <paramref name="count"/> bytes; false (and null) on a wrong type, version or length.</summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out EnrollmentResult? result)
        {
            Wire.CheckRange(buffer, offset, count);
            result = null;
            if (count < MinSize || count > MaxSize || !MessageHeader.Matches(buffer, offset, count, MessageType.Result))
            {
                return false;
            }

            result = new EnrollmentResult(
                Wire.Slice(buffer, offset + 2, ProtocolConstants.KeySize),
                Wire.Slice(buffer, offset + 34, ProtocolConstants.AeadNonceSize),
                Wire.Slice(buffer, offset + HeaderSize, count - HeaderSize));
            return true;
        }
    }
}
