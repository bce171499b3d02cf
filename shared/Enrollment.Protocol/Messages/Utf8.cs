using System;

namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// Minimal UTF-8 (RFC 3629) helpers: nanoFramework's mscorlib has no System.Text.Encoding, and the
    /// protocol's text fields (pet name, broker user name) must be validated identically on every party.
    /// "Text" here means well-formed UTF-8 (no overlong forms, no surrogate code points, nothing above
    /// U+10FFFF) without control characters (U+0000..U+001F, U+007F..U+009F). The overloads with
    /// <c>allowControl</c> accept control characters too, for strings that are only checked for
    /// well-formedness and carried, never shown as a name or used as a topic (the firmware version in the
    /// device's hello message). Whatever goes into a log line uses the strict form: a control character
    /// there could forge or garble lines.
    /// </summary>
    public static class Utf8
    {
        /// <summary>True when the bytes are well-formed UTF-8 text without control characters.</summary>
        public static bool IsValidText(byte[] buffer, int offset, int count)
        {
            return IsValidText(buffer, offset, count, false);
        }

        /// <summary>
        /// True when the bytes are well-formed UTF-8; control characters are accepted only when
        /// <paramref name="allowControl"/> is set.
        /// </summary>
        public static bool IsValidText(byte[] buffer, int offset, int count, bool allowControl)
        {
            Wire.CheckRange(buffer, offset, count);
            return CountChars(buffer, offset, count, allowControl) >= 0;
        }

        /// <summary>Decodes bytes that <see cref="IsValidText(byte[], int, int)"/> accepts; throws ArgumentException otherwise.</summary>
        public static string GetString(byte[] buffer, int offset, int count)
        {
            return GetString(buffer, offset, count, false);
        }

        /// <summary>
        /// Decodes bytes that <see cref="IsValidText(byte[], int, int, bool)"/> accepts with the same
        /// <paramref name="allowControl"/>; throws ArgumentException otherwise.
        /// </summary>
        public static string GetString(byte[] buffer, int offset, int count, bool allowControl)
        {
            Wire.CheckRange(buffer, offset, count);
            int chars = CountChars(buffer, offset, count, allowControl);
            if (chars < 0)
            {
                throw new ArgumentException("not valid UTF-8 text", nameof(buffer));
            }

            char[] result = new char[chars];
            int end = offset + count;
            int n = 0;
            int i = offset;
            while (i < end)
            {
                int cp = DecodeOne(buffer, i, end, out int length);
                i += length;
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    result[n++] = (char)(0xD800 + (cp >> 10));
                    result[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    result[n++] = (char)cp;
                }
            }

            return new string(result);
        }

        /// <summary>
        /// Encodes a string as UTF-8. Throws ArgumentException for unpaired surrogates or control characters,
        /// so whatever it returns passes <see cref="IsValidText(byte[], int, int)"/>.
        /// </summary>
        public static byte[] GetBytes(string text)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            int length = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int cp = CodePointAt(text, i);
                if (cp < 0 || IsControl(cp))
                {
                    throw new ArgumentException("unpaired surrogate or control character", nameof(text));
                }

                if (cp >= 0x10000)
                {
                    i++;
                }

                length += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            }

            byte[] output = new byte[length];
            int o = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int cp = CodePointAt(text, i);
                if (cp >= 0x10000)
                {
                    i++;
                    output[o++] = (byte)(0xF0 | (cp >> 18));
                    output[o++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    output[o++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    output[o++] = (byte)(0x80 | (cp & 0x3F));
                }
                else if (cp >= 0x800)
                {
                    output[o++] = (byte)(0xE0 | (cp >> 12));
                    output[o++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    output[o++] = (byte)(0x80 | (cp & 0x3F));
                }
                else if (cp >= 0x80)
                {
                    output[o++] = (byte)(0xC0 | (cp >> 6));
                    output[o++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    output[o++] = (byte)cp;
                }
            }

            return output;
        }

        /// <summary>Number of UTF-16 chars the bytes decode to, or -1 if they are not valid text.</summary>
        private static int CountChars(byte[] b, int offset, int count, bool allowControl)
        {
            int end = offset + count;
            int chars = 0;
            int i = offset;
            while (i < end)
            {
                int cp = DecodeOne(b, i, end, out int length);
                if (cp < 0 || (!allowControl && IsControl(cp)))
                {
                    return -1;
                }

                chars += cp >= 0x10000 ? 2 : 1;
                i += length;
            }

            return chars;
        }

        /// <summary>
        /// Decodes one scalar value at b[i] (RFC 3629 section 4 syntax), or returns -1 for an ill-formed
        /// sequence. The second-byte ranges below exclude overlong forms, surrogates and values past U+10FFFF.
        /// </summary>
        private static int DecodeOne(byte[] b, int i, int end, out int length)
        {
            int b0 = b[i];
            length = 1;
            if (b0 < 0x80)
            {
                return b0;
            }

            int need;
            int cp;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                need = 1;
                cp = b0 & 0x1F;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                need = 2;
                cp = b0 & 0x0F;
                if (b0 == 0xE0)
                {
                    lo = 0xA0;
                }
                else if (b0 == 0xED)
                {
                    hi = 0x9F;
                }
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                need = 3;
                cp = b0 & 0x07;
                if (b0 == 0xF0)
                {
                    lo = 0x90;
                }
                else if (b0 == 0xF4)
                {
                    hi = 0x8F;
                }
            }
            else
            {
                return -1;
            }

            if (end - i - 1 < need)
            {
                return -1;
            }

            for (int k = 1; k <= need; k++)
            {
                int bk = b[i + k];
                if (bk < lo || bk > hi)
                {
                    return -1;
                }

                lo = 0x80;
                hi = 0xBF;
                cp = (cp << 6) | (bk & 0x3F);
            }

            length = need + 1;
            return cp;
        }

        /// <summary>Code point at s[i] (combining a surrogate pair), or -1 for an unpaired surrogate.</summary>
        private static int CodePointAt(string s, int i)
        {
            int c = s[i];
            if (c < 0xD800 || c > 0xDFFF)
            {
                return c;
            }

            if (c > 0xDBFF || i + 1 >= s.Length)
            {
                return -1;
            }

            int d = s[i + 1];
            if (d < 0xDC00 || d > 0xDFFF)
            {
                return -1;
            }

            return 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        }

        private static bool IsControl(int cp)
        {
            return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
        }
    }
}
