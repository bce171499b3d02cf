using System;
using System.Runtime.CompilerServices;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Fixed-time comparison and zeroing of secret bytes (tags, keys, shared secrets).
    /// </summary>
    /// <remarks>
    /// The running time depends only on <c>count</c>, never on the data: no early exit, no data-dependent
    /// branch. Every method is marked <c>NoInlining | NoOptimization</c> so that the JIT can neither inline
    /// the accumulate-then-test loop into a caller and turn it into an early-exit compare, nor drop the
    /// stores of <see cref="Zero(byte[])"/> as dead because the buffer is not read afterwards (the same
    /// reasoning as .NET's CryptographicOperations.FixedTimeEquals and ZeroMemory).
    /// </remarks>
    public static class FixedTime
    {
        /// <summary>
        /// ECMA-335 II.23.1.11 MethodImplAttributes.NoOptimization (0x0040). nanoFramework's mscorlib 1.17.11
        /// has no named member for it, so the bit is spelled out: the C# compiler copies it into the method's
        /// ImplFlags either way, the host JIT honours it, and the device interpreter does not optimise at all.
        /// </summary>
        private const MethodImplOptions NoOptimization = (MethodImplOptions)0x0040;

        /// <summary>True when the two ranges hold the same bytes; time depends on <paramref name="count"/> only.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | NoOptimization)]
        public static bool Equals(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            ArgumentChecks.Range(a, aOffset, count, "a", "aOffset", "count");
            ArgumentChecks.Range(b, bOffset, count, "b", "bOffset", "count");
            return EqualsCore(a, aOffset, b, bOffset, count);
        }

        /// <summary>True when every byte of the range is 0 (e.g. an all-zero X25519 output, RFC 7748 section 6.1).</summary>
        [MethodImpl(MethodImplOptions.NoInlining | NoOptimization)]
        public static bool IsZero(byte[] a, int offset, int count)
        {
            ArgumentChecks.Range(a, offset, count, "a", "offset", "count");
            int acc = 0;
            for (int i = 0; i < count; i++)
            {
                acc |= a[offset + i];
            }

            // (acc - 1) has bit 31 set only when acc == 0 (acc is at most 0xFF): no data-dependent branch.
            return (((acc - 1) >> 31) & 1) == 1;
        }

        /// <summary>Overwrites the whole buffer with zeros.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | NoOptimization)]
        public static void Zero(byte[] buffer)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException("buffer");
            }

            Array.Clear(buffer, 0, buffer.Length);
        }

        /// <summary>Overwrites <paramref name="count"/> bytes from <paramref name="offset"/> with zeros.</summary>
        [MethodImpl(MethodImplOptions.NoInlining | NoOptimization)]
        public static void Zero(byte[] buffer, int offset, int count)
        {
            ArgumentChecks.Range(buffer, offset, count, "buffer", "offset", "count");
            Array.Clear(buffer, offset, count);
        }

        /// <summary>Unchecked core for callers that validated already (the AEAD's tag check).</summary>
        [MethodImpl(MethodImplOptions.NoInlining | NoOptimization)]
        internal static bool EqualsCore(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            int acc = 0;
            for (int i = 0; i < count; i++)
            {
                acc |= a[aOffset + i] ^ b[bOffset + i];
            }

            return (((acc - 1) >> 31) & 1) == 1;
        }
    }
}
