using System;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The ASCII field classes of docs/protocol.md ("Encoding rules"): host names, MQTT topic names and
    /// device ids. Each class is a byte range test so that every party accepts exactly the same strings.
    /// </summary>
    internal static class AsciiText
    {
        /// <summary>Host: printable ASCII without space (0x21..0x7E); covers DNS names and IP literals.</summary>
        internal const int Host = 0;

        /// <summary>
        /// MQTT topic name: printable ASCII (0x21..0x7E) without the wildcards '+' and '#' (MQTT 3.1.1
        /// section 4.7.1: a PUBLISH topic must not contain them); UTF-8 beyond ASCII is not needed.
        /// </summary>
        internal const int Topic = 1;

        /// <summary>Device id: [A-Za-z0-9_-], safe inside a topic level and a file name.</summary>
        internal const int DeviceId = 2;

        internal static bool IsValid(byte[] b, int offset, int count, int kind)
        {
            for (int i = offset; i < offset + count; i++)
            {
                if (!IsAllowed(b[i], kind))
                {
                    return false;
                }
            }

            return true;
        }

        internal static bool IsValid(string s, int kind)
        {
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] > 0x7F || !IsAllowed((byte)s[i], kind))
                {
                    return false;
                }
            }

            return true;
        }

        internal static string GetString(byte[] b, int offset, int count)
        {
            char[] chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                chars[i] = (char)b[offset + i];
            }

            return new string(chars);
        }

        /// <summary>Writes a string already checked by <see cref="IsValid(string, int)"/>; one byte per char.</summary>
        internal static void Write(string s, byte[] output, int offset)
        {
            for (int i = 0; i < s.Length; i++)
            {
                output[offset + i] = (byte)s[i];
            }
        }

        /// <summary>Validates a string field before encoding; a bad value is the caller's mistake.</summary>
        internal static void Check(string? s, int kind, int minLength, int maxLength, string name)
        {
            if (s == null)
            {
                throw new ArgumentNullException(name);
            }

            if (s.Length < minLength || s.Length > maxLength || !IsValid(s, kind))
            {
                throw new ArgumentException("not a valid value for this field", name);
            }
        }

        private static bool IsAllowed(byte c, int kind)
        {
            if (kind == DeviceId)
            {
                return (c >= (byte)'a' && c <= (byte)'z') || (c >= (byte)'A' && c <= (byte)'Z')
                    || (c >= (byte)'0' && c <= (byte)'9') || c == (byte)'_' || c == (byte)'-';
            }

            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }

            return kind != Topic || (c != (byte)'+' && c != (byte)'#');
        }
    }
}
