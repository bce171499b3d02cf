using System;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// Big-endian integer helpers and argument checks shared by the codecs (docs/protocol.md section
    /// "Encoding rules": every integer on the wire is unsigned big-endian).
    /// </summary>
    internal static class Wire
    {
        internal static ushort ReadUInt16(byte[] b, int o)
        {
            return (ushort)((b[o] << 8) | b[o + 1]);
        }

        internal static uint ReadUInt32(byte[] b, int o)
        {
            return ((uint)b[o] << 24) | ((uint)b[o + 1] << 16) | ((uint)b[o + 2] << 8) | b[o + 3];
        }

        internal static ulong ReadUInt64(byte[] b, int o)
        {
            return ((ulong)ReadUInt32(b, o) << 32) | ReadUInt32(b, o + 4);
        }

        internal static void WriteUInt16(byte[] b, int o, int v)
        {
            b[o] = (byte)(v >> 8);
            b[o + 1] = (byte)v;
        }

        internal static void WriteUInt32(byte[] b, int o, uint v)
        {
            b[o] = (byte)(v >> 24);
            b[o + 1] = (byte)(v >> 16);
            b[o + 2] = (byte)(v >> 8);
            b[o + 3] = (byte)v;
        }

        internal static void WriteUInt64(byte[] b, int o, ulong v)
        {
            WriteUInt32(b, o, (uint)(v >> 32));
            WriteUInt32(b, o + 4, (uint)v);
        }

        /// <summary>Copies <paramref name="count"/> bytes out of a buffer into a new array.</summary>
        internal static byte[] Slice(byte[] b, int o, int count)
        {
            byte[] r = new byte[count];
            Array.Copy(b, o, r, 0, count);
            return r;
        }

        /// <summary>Validates a caller's (buffer, offset, count) triple; a mistake here is the caller's bug.</summary>
        internal static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            if (offset < 0 || offset > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(offset));
            }

            if (count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }
        }

        /// <summary>Throws unless <paramref name="value"/> is a non-null array of exactly <paramref name="length"/> bytes.</summary>
        internal static void CheckLength(byte[]? value, int length, string name)
        {
            if (value == null)
            {
                throw new ArgumentNullException(name);
            }

            if (value.Length != length)
            {
                throw new ArgumentException("must be " + IntToString(length) + " bytes long", name);
            }
        }

        /// <summary>Decimal text of a non-negative int without culture or interpolation machinery.</summary>
        internal static string IntToString(int value)
        {
            if (value == 0)
            {
                return "0";
            }

            char[] digits = new char[11];
            int i = digits.Length;
            bool negative = value < 0;
            long v = negative ? -(long)value : value;
            while (v > 0)
            {
                digits[--i] = (char)('0' + (int)(v % 10));
                v /= 10;
            }

            if (negative)
            {
                digits[--i] = '-';
            }

            return new string(digits, i, digits.Length - i);
        }
    }
}
