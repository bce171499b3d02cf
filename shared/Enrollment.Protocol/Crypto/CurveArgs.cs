using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>Argument checks shared by the curve entry points (validate once, then call the core).</summary>
    internal static class CurveArgs
    {
        /// <summary>Throws unless buffer[offset .. offset + count) exists.</summary>
        internal static void Range(byte[] buffer, int offset, int count, string name)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(name);
            }

            if (offset < 0 || count < 0 || offset > buffer.Length - count)
            {
                throw new ArgumentOutOfRangeException(name, "buffer too small for offset and length");
            }
        }

        /// <summary>Throws unless the buffer is exactly <paramref name="length"/> bytes.</summary>
        internal static void Exact(byte[] buffer, int length, string name)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(name);
            }

            if (buffer.Length != length)
            {
                throw new ArgumentException("must be " + length.ToString() + " bytes", name);
            }
        }
    }
}
