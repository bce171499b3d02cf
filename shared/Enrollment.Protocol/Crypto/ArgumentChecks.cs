using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Argument validation shared by the symmetric primitives. Public entry points call these once and then
    /// run an unchecked core, so the hot loops carry no checks (STYLE.md: validate once, then the core).
    /// Every exception names the caller's parameter; nothing here ever depends on secret data.
    /// </summary>
    internal static class ArgumentChecks
    {
        /// <summary>Requires a non-null buffer and 0 &lt;= offset, 0 &lt;= count, offset + count &lt;= length.</summary>
        internal static void Range(byte[] buffer, int offset, int count, string bufferName, string offsetName, string countName)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(bufferName);
            }

            if (offset < 0 || offset > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(offsetName, "Offset is outside the buffer.");
            }

            if (count < 0 || count > buffer.Length - offset)
            {
                throw new ArgumentOutOfRangeException(countName, "Count runs past the end of the buffer.");
            }
        }

        /// <summary>Like <see cref="Range"/> but a null buffer is allowed when count is 0 (optional AD, salt, info).</summary>
        internal static void OptionalRange(byte[]? buffer, int offset, int count, string bufferName, string offsetName, string countName)
        {
            if (buffer == null)
            {
                if (count != 0)
                {
                    throw new ArgumentNullException(bufferName);
                }

                if (offset != 0)
                {
                    throw new ArgumentOutOfRangeException(offsetName, "Offset must be 0 when the buffer is null.");
                }

                return;
            }

            Range(buffer, offset, count, bufferName, offsetName, countName);
        }

        /// <summary>Requires a non-null buffer holding at least <paramref name="size"/> bytes from offset.</summary>
        internal static void Fixed(byte[] buffer, int offset, int size, string bufferName, string offsetName)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(bufferName);
            }

            if (offset < 0 || offset > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(offsetName, "Offset is outside the buffer.");
            }

            if (buffer.Length - offset < size)
            {
                throw new ArgumentException("Buffer needs " + size.ToString() + " bytes from the offset.", bufferName);
            }
        }
    }
}
