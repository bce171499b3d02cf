using System;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The enrollee's unique identifier (docs/protocol.md "Identifiers"): id = SHA-256(EIK_B public key),
    /// 32 bytes on the wire (OP-0006's Hash(EIK_B)). Its text form is the lowercase hex of the first 10 bytes
    /// (20 characters, e.g. "a0b1c2d3e4f5a6b7c8d9"): short enough to read aloud, long enough (80 bits) that
    /// no two devices of a fleet collide by chance. The text form names topics and labels; the service
    /// always matches on the full 32 bytes.
    /// </summary>
    public static class EnrolleeId
    {
        /// <summary>Wire size of the id.</summary>
        public const int Size = 32;

        /// <summary>Bytes of the id shown in its text form.</summary>
        public const int TextBytes = 10;

        /// <summary>Length of the text form.</summary>
        public const int TextLength = 2 * TextBytes;

        /// <summary>SHA-256 of a 32-byte EIK_B public key.</summary>
        public static byte[] Compute(byte[] enrollmentIdentityPublicKey)
        {
            Wire.CheckLength(enrollmentIdentityPublicKey, ProtocolConstants.KeySize, nameof(enrollmentIdentityPublicKey));
            byte[] id = new byte[Size];
            CryptoBinding.Sha256(enrollmentIdentityPublicKey, 0, ProtocolConstants.KeySize, id, 0);
            return id;
        }

        /// <summary>Text form of an id (or of its first 10 bytes): 20 lowercase hex characters.</summary>
        public static string ToText(byte[] id, int offset)
        {
            return Hex.Encode(id, offset, TextBytes);
        }

        /// <summary>Text form of an id starting at offset 0.</summary>
        public static string ToText(byte[] id)
        {
            return ToText(id, 0);
        }

        /// <summary>
        /// True when <paramref name="text"/> is exactly 20 lowercase hex characters (the only accepted spelling,
        /// so a text form names one topic); <paramref name="prefix"/> receives the 10 bytes it stands for.
        /// </summary>
        public static bool TryParseText(string? text, out byte[]? prefix)
        {
            prefix = null;
            if (text == null || text.Length != TextLength)
            {
                return false;
            }

            byte[] bytes = new byte[TextBytes];
            for (int i = 0; i < TextBytes; i++)
            {
                int hi = HexValue(text[2 * i]);
                int lo = HexValue(text[(2 * i) + 1]);
                if (hi < 0 || lo < 0)
                {
                    return false;
                }

                bytes[i] = (byte)((hi << 4) | lo);
            }

            prefix = bytes;
            return true;
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            return -1;
        }
    }
}
