using System;
using System.Diagnostics.CodeAnalysis;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The unauthenticated rejection notice (docs/protocol.md "Rejection notice", type 0x04): what the service
    /// sends when it rejects a message before it could derive SK (cheap checks, failed decryption). Anyone able
    /// to publish on the result topic can forge one, so it says only Busy (with retry-after) or Rejected, and
    /// the enrollee treats it as a hint: it never ends an attempt on a notice alone.
    /// </summary>
    public sealed class EnrollmentNotice
    {
        /// <summary>Every notice is exactly this long: 2 + 32 + 1 + 4.</summary>
        public const int Size = 39;

        /// <summary>Creates a notice; status must be Busy (retry-after 1..86400) or Rejected (retry-after 0).</summary>
        public EnrollmentNotice(byte[] ephemeralKey, EnrollmentStatus status, uint retryAfterSeconds)
        {
            Wire.CheckLength(ephemeralKey, ProtocolConstants.KeySize, nameof(ephemeralKey));
            if (!EnrollmentOutcome.IsValidRejection((int)status, retryAfterSeconds, true))
            {
                throw new ArgumentException("a notice is Busy with 1..86400 s or Rejected with 0", nameof(status));
            }

            EphemeralKey = Wire.Slice(ephemeralKey, 0, ephemeralKey.Length);
            Status = status;
            RetryAfterSeconds = retryAfterSeconds;
        }

        /// <summary>EK_B of the enrollment message this answers.</summary>
        public byte[] EphemeralKey { get; }

        /// <summary>Busy or Rejected.</summary>
        public EnrollmentStatus Status { get; }

        /// <summary>Seconds to wait before retrying (Busy only).</summary>
        public uint RetryAfterSeconds { get; }

        /// <summary>The encoded notice.</summary>
        public byte[] Encode()
        {
            byte[] output = new byte[Size];
            Encode(output, 0);
            return output;
        }

        /// <summary>Writes the notice at <paramref name="offset"/>; returns <see cref="Size"/>.</summary>
        public int Encode(byte[] output, int offset)
        {
            Wire.CheckRange(output, offset, Size);
            MessageHeader.Write(output, offset, MessageType.Notice);
            Array.Copy(EphemeralKey, 0, output, offset + 2, ProtocolConstants.KeySize);
            output[offset + 34] = (byte)Status;
            Wire.WriteUInt32(output, offset + 35, RetryAfterSeconds);
            return Size;
        }

        /// <summary>Decodes exactly <paramref name="count"/> bytes; false (and null) on any format error.</summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, [NotNullWhen(true)] out EnrollmentNotice? notice)
        {
            Wire.CheckRange(buffer, offset, count);
            notice = null;
            if (count != Size || !MessageHeader.Matches(buffer, offset, count, MessageType.Notice))
            {
                return false;
            }

            int status = buffer[offset + 34];
            uint retryAfter = Wire.ReadUInt32(buffer, offset + 35);
            if (!EnrollmentOutcome.IsValidRejection(status, retryAfter, true))
            {
                return false;
            }

            notice = new EnrollmentNotice(Wire.Slice(buffer, offset + 2, ProtocolConstants.KeySize), (EnrollmentStatus)status, retryAfter);
            return true;
        }
    }
}
