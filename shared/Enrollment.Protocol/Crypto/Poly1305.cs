using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// The Poly1305 one-time authenticator of RFC 8439 section 2.5. Internal: used by the AEAD (section 2.8).
    /// </summary>
    /// <remarks>
    /// The accumulator and r are held as five 26-bit limbs (the "poly1305-donna-32" layout), so every product
    /// is 32x32 -> 64 bits and the partial sums stay below 2^64; the nanoFramework interpreter has 64-bit
    /// integers but no 128-bit ones. Arithmetic is branch-free in the data. <see cref="Clear"/> wipes the key.
    /// </remarks>
    internal sealed class Poly1305
    {
        /// <summary>RFC 8439 section 2.5: 32-byte one-time key (r || s).</summary>
        internal const int KeySize = 32;

        /// <summary>RFC 8439 section 2.5: 16-byte tag.</summary>
        internal const int TagSize = 16;

        /// <summary>RFC 8439 section 2.5: the message is processed in 16-byte blocks.</summary>
        internal const int BlockSize = 16;

        private const uint Mask26 = 0x3ffffff;

        /// <summary>2^128 as the top limb's bit 24: the "add one bit beyond the number of octets" of section 2.5.1.</summary>
        private const uint HighBit = 1u << 24;

        private readonly byte[] _pending = new byte[BlockSize];
        private int _pendingCount;

        private uint _r0, _r1, _r2, _r3, _r4;
        private uint _h0, _h1, _h2, _h3, _h4;
        private uint _pad0, _pad1, _pad2, _pad3;

        /// <summary>Section 2.5.1: r = clamp(key[0..15]), s = key[16..31], accumulator = 0.</summary>
        internal void Init(byte[] key, int offset)
        {
            // clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff, split into 26-bit limbs.
            _r0 = Load(key, offset) & 0x3ffffff;
            _r1 = (Load(key, offset + 3) >> 2) & 0x3ffff03;
            _r2 = (Load(key, offset + 6) >> 4) & 0x3ffc0ff;
            _r3 = (Load(key, offset + 9) >> 6) & 0x3f03fff;
            _r4 = (Load(key, offset + 12) >> 8) & 0x00fffff;
            _h0 = _h1 = _h2 = _h3 = _h4 = 0;
            _pad0 = Load(key, offset + 16);
            _pad1 = Load(key, offset + 20);
            _pad2 = Load(key, offset + 24);
            _pad3 = Load(key, offset + 28);
            _pendingCount = 0;
        }

        /// <summary>Absorbs message bytes; a partial trailing block waits for more input or <see cref="Final"/>.</summary>
        internal void Update(byte[] data, int offset, int count)
        {
            if (_pendingCount > 0)
            {
                int take = BlockSize - _pendingCount;
                if (take > count)
                {
                    take = count;
                }

                Array.Copy(data, offset, _pending, _pendingCount, take);
                _pendingCount += take;
                offset += take;
                count -= take;
                if (_pendingCount < BlockSize)
                {
                    return;
                }

                Blocks(_pending, 0, BlockSize, HighBit);
                _pendingCount = 0;
            }

            int whole = count & ~(BlockSize - 1);
            if (whole > 0)
            {
                Blocks(data, offset, whole, HighBit);
            }

            if (count > whole)
            {
                Array.Copy(data, offset + whole, _pending, 0, count - whole);
                _pendingCount = count - whole;
            }
        }

        /// <summary>
        /// Absorbs <paramref name="count"/> bytes followed by zero padding to a 16-byte boundary, as the AEAD
        /// does for the AAD and the ciphertext (RFC 8439 section 2.8, padding1/padding2). Requires no pending bytes.
        /// </summary>
        internal void UpdatePadded(byte[] data, int offset, int count)
        {
            int whole = count & ~(BlockSize - 1);
            if (whole > 0)
            {
                Blocks(data, offset, whole, HighBit);
            }

            int rest = count - whole;
            if (rest > 0)
            {
                Array.Copy(data, offset + whole, _pending, 0, rest);
                Array.Clear(_pending, rest, BlockSize - rest);
                Blocks(_pending, 0, BlockSize, HighBit);
                Array.Clear(_pending, 0, BlockSize);
            }
        }

        /// <summary>Section 2.5.1: finishes the last block, reduces mod 2^130 - 5, adds s and writes the 16-byte tag.</summary>
        internal void Final(byte[] output, int offset)
        {
            if (_pendingCount > 0)
            {
                // A short last block gets its 0x01 byte right after the data and no 2^128 bit.
                _pending[_pendingCount] = 1;
                Array.Clear(_pending, _pendingCount + 1, BlockSize - _pendingCount - 1);
                Blocks(_pending, 0, BlockSize, 0);
                _pendingCount = 0;
            }

            uint h0 = _h0, h1 = _h1, h2 = _h2, h3 = _h3, h4 = _h4;

            // Fully carry h.
            uint c = h1 >> 26; h1 &= Mask26;
            h2 += c; c = h2 >> 26; h2 &= Mask26;
            h3 += c; c = h3 >> 26; h3 &= Mask26;
            h4 += c; c = h4 >> 26; h4 &= Mask26;
            h0 += c * 5; c = h0 >> 26; h0 &= Mask26;
            h1 += c;

            // g = h + 5 - 2^130 = h - p; keep g when it did not go negative (h >= p), else h. No branch.
            uint g0 = h0 + 5; c = g0 >> 26; g0 &= Mask26;
            uint g1 = h1 + c; c = g1 >> 26; g1 &= Mask26;
            uint g2 = h2 + c; c = g2 >> 26; g2 &= Mask26;
            uint g3 = h3 + c; c = g3 >> 26; g3 &= Mask26;
            uint g4 = h4 + c - (1u << 26);

            uint useG = (g4 >> 31) - 1; // all ones when g4 did not borrow
            uint useH = ~useG;
            h0 = (h0 & useH) | (g0 & useG);
            h1 = (h1 & useH) | (g1 & useG);
            h2 = (h2 & useH) | (g2 & useG);
            h3 = (h3 & useH) | (g3 & useG);
            h4 = (h4 & useH) | (g4 & useG);

            // h mod 2^128 as four 32-bit words, then tag = (h + s) mod 2^128.
            uint w0 = h0 | (h1 << 26);
            uint w1 = (h1 >> 6) | (h2 << 20);
            uint w2 = (h2 >> 12) | (h3 << 14);
            uint w3 = (h3 >> 18) | (h4 << 8);

            ulong f = (ulong)w0 + _pad0;
            Store((uint)f, output, offset);
            f = (ulong)w1 + _pad1 + (f >> 32);
            Store((uint)f, output, offset + 4);
            f = (ulong)w2 + _pad2 + (f >> 32);
            Store((uint)f, output, offset + 8);
            f = (ulong)w3 + _pad3 + (f >> 32);
            Store((uint)f, output, offset + 12);

            Clear();
        }

        /// <summary>Zeroes r, s, the accumulator and any pending bytes.</summary>
        internal void Clear()
        {
            _r0 = _r1 = _r2 = _r3 = _r4 = 0;
            _h0 = _h1 = _h2 = _h3 = _h4 = 0;
            _pad0 = _pad1 = _pad2 = _pad3 = 0;
            Array.Clear(_pending, 0, BlockSize);
            _pendingCount = 0;
        }

        private static uint Load(byte[] b, int p)
        {
            return b[p] | ((uint)b[p + 1] << 8) | ((uint)b[p + 2] << 16) | ((uint)b[p + 3] << 24);
        }

        private static void Store(uint v, byte[] b, int p)
        {
            b[p] = (byte)v;
            b[p + 1] = (byte)(v >> 8);
            b[p + 2] = (byte)(v >> 16);
            b[p + 3] = (byte)(v >> 24);
        }

        /// <summary>Section 2.5.1 loop body for each whole 16-byte block: a = ((a + block) * r) mod p.</summary>
        private void Blocks(byte[] m, int offset, int count, uint highBit)
        {
            uint r0 = _r0, r1 = _r1, r2 = _r2, r3 = _r3, r4 = _r4;

            // r_i * 2^130 = r_i * 5 (mod p): the limbs that wrap around are pre-multiplied by 5.
            uint s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
            uint h0 = _h0, h1 = _h1, h2 = _h2, h3 = _h3, h4 = _h4;

            for (int end = offset + count; offset < end; offset += BlockSize)
            {
                uint t0 = Load(m, offset);
                uint t1 = Load(m, offset + 4);
                uint t2 = Load(m, offset + 8);
                uint t3 = Load(m, offset + 12);
                h0 += t0 & Mask26;
                h1 += ((t0 >> 26) | (t1 << 6)) & Mask26;
                h2 += ((t1 >> 20) | (t2 << 12)) & Mask26;
                h3 += ((t2 >> 14) | (t3 << 18)) & Mask26;
                h4 += (t3 >> 8) | highBit;

                ulong d0 = ((ulong)h0 * r0) + ((ulong)h1 * s4) + ((ulong)h2 * s3) + ((ulong)h3 * s2) + ((ulong)h4 * s1);
                ulong d1 = ((ulong)h0 * r1) + ((ulong)h1 * r0) + ((ulong)h2 * s4) + ((ulong)h3 * s3) + ((ulong)h4 * s2);
                ulong d2 = ((ulong)h0 * r2) + ((ulong)h1 * r1) + ((ulong)h2 * r0) + ((ulong)h3 * s4) + ((ulong)h4 * s3);
                ulong d3 = ((ulong)h0 * r3) + ((ulong)h1 * r2) + ((ulong)h2 * r1) + ((ulong)h3 * r0) + ((ulong)h4 * s4);
                ulong d4 = ((ulong)h0 * r4) + ((ulong)h1 * r3) + ((ulong)h2 * r2) + ((ulong)h3 * r1) + ((ulong)h4 * r0);

                // Partial carry back into 26-bit limbs; the top carry wraps around times 5.
                uint c = (uint)(d0 >> 26); h0 = (uint)d0 & Mask26;
                d1 += c; c = (uint)(d1 >> 26); h1 = (uint)d1 & Mask26;
                d2 += c; c = (uint)(d2 >> 26); h2 = (uint)d2 & Mask26;
                d3 += c; c = (uint)(d3 >> 26); h3 = (uint)d3 & Mask26;
                d4 += c; c = (uint)(d4 >> 26); h4 = (uint)d4 & Mask26;
                h0 += c * 5; c = h0 >> 26; h0 &= Mask26;
                h1 += c;
            }

            _h0 = h0;
            _h1 = h1;
            _h2 = h2;
            _h3 = h3;
            _h4 = h4;
        }
    }
}
