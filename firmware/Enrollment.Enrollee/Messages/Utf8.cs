namespace Enrollment.Enrollee.Messages
{
    /// <summary>
    /// The little UTF-8 the core needs (nanoFramework's mscorlib has no System.Text.Encoding): validation of
    /// received text (RFC 3629 section 4: no overlongs, no surrogates, nothing above U+10FFFF) and
    /// conversion for log lines.
    /// </summary>
    public static class Utf8
    {
        public static bool IsValid(byte[] b, int offset, int count)
        {
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int c = b[i];
                int extra;
                int min;
                if (c < 0x80)
                {
                    i++;
                    continue;
                }
                else if (c >= 0xC2 && c <= 0xDF)
                {
                    extra = 1;
                    min = 0x80;
                }
                else if (c >= 0xE0 && c <= 0xEF)
                {
                    extra = 2;
                    min = 0x800;
                }
                else if (c >= 0xF0 && c <= 0xF4)
                {
                    extra = 3;
                    min = 0x10000;
                }
                else
                {
                    return false;
                }

                if (end - i <= extra)
                {
                    return false;
                }

                int cp = c & (0x3F >> extra);
                for (int k = 1; k <= extra; k++)
                {
                    int cc = b[i + k];
                    if ((cc & 0xC0) != 0x80)
                    {
                        return false;
                    }

                    cp = (cp << 6) | (cc & 0x3F);
                }

                if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                {
                    return false;
                }

                i += extra + 1;
            }

            return true;
        }

        /// <summary>Decodes valid UTF-8 (check with <see cref="IsValid"/> first) to a string.</summary>
        public static string ToText(byte[] b, int offset, int count)
        {
            char[] chars = new char[count];
            int n = 0;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int c = b[i];
                int cp;
                if (c < 0x80)
                {
                    cp = c;
                    i += 1;
                }
                else if (c < 0xE0)
                {
                    cp = ((c & 0x1F) << 6) | (b[i + 1] & 0x3F);
                    i += 2;
                }
                else if (c < 0xF0)
                {
                    cp = ((c & 0x0F) << 12) | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
                    i += 3;
                }
                else
                {
                    cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3F) << 12) | ((b[i + 2] & 0x3F) << 6) | (b[i + 3] & 0x3F);
                    i += 4;
                }

                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }
            }

            return new string(chars, 0, n);
        }

        /// <summary>Lower-case hex of bytes, for identifiers in log lines (never for secrets).</summary>
        public static string Hex(byte[] b, int offset, int count)
        {
            char[] chars = new char[count * 2];
            for (int i = 0; i < count; i++)
            {
                int v = b[offset + i];
                chars[2 * i] = HexDigit(v >> 4);
                chars[(2 * i) + 1] = HexDigit(v & 0x0F);
            }

            return new string(chars);
        }

        private static char HexDigit(int v)
        {
            return (char)(v < 10 ? '0' + v : 'a' + v - 10);
        }
    }
}
