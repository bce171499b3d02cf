using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// The ChaCha20 stream cipher of RFC 8439 section 2.3-2.4 (32-bit block counter, 96-bit nonce).
    /// Internal: only the AEAD construction (section 2.8) is offered to callers.
    /// </summary>
    /// <remarks>
    /// The instance keeps the 16-word input state and a 16-word output block, so generating keystream never
    /// allocates. The quarter rounds (section 2.1) are written out with the state in locals, because the
    /// nanoFramework interpreter pays for every array access and call. <see cref="Clear"/> wipes key material.
    /// </remarks>
    internal sealed class ChaCha20
    {
        /// <summary>RFC 8439 section 2.3: 256-bit key.</summary>
        internal const int KeySize = 32;

        /// <summary>RFC 8439 section 2.3: 96-bit nonce.</summary>
        internal const int NonceSize = 12;

        /// <summary>RFC 8439 section 2.3: 512-bit block.</summary>
        internal const int BlockSize = 64;

        /// <summary>RFC 8439 section 2.3: "expand 32-byte k" as four little-endian words.</summary>
        private const uint Sigma0 = 0x61707865, Sigma1 = 0x3320646e, Sigma2 = 0x79622d32, Sigma3 = 0x6b206574;

        private readonly uint[] _input = new uint[16];
        private readonly uint[] _block = new uint[16];

        /// <summary>Sets key, block counter and nonce (state words 4-11, 12 and 13-15 of section 2.3).</summary>
        internal void Init(byte[] key, int keyOffset, byte[] nonce, int nonceOffset, uint counter)
        {
            uint[] s = _input;
            s[0] = Sigma0;
            s[1] = Sigma1;
            s[2] = Sigma2;
            s[3] = Sigma3;
            for (int i = 0; i < 8; i++)
            {
                s[4 + i] = LoadLittleEndian(key, keyOffset + (i * 4));
            }

            s[12] = counter;
            s[13] = LoadLittleEndian(nonce, nonceOffset);
            s[14] = LoadLittleEndian(nonce, nonceOffset + 4);
            s[15] = LoadLittleEndian(nonce, nonceOffset + 8);
        }

        /// <summary>Writes the first <paramref name="count"/> (&lt;= 64) keystream bytes of the current block and moves to the next block.</summary>
        internal void KeyStream(byte[] output, int offset, int count)
        {
            NextBlock();
            uint[] w = _block;
            for (int j = 0; j < count; j++)
            {
                output[offset + j] = (byte)(w[j >> 2] >> ((j & 3) << 3));
            }
        }

        /// <summary>
        /// RFC 8439 section 2.4: output = input XOR keystream, from the current counter on. Output may be the
        /// same range as the input (in place) or disjoint from it.
        /// </summary>
        internal void XorKeyStream(byte[] input, int inputOffset, byte[] output, int outputOffset, int count)
        {
            uint[] w = _block;
            while (count >= BlockSize)
            {
                NextBlock();
                for (int i = 0; i < 16; i++)
                {
                    uint k = w[i];
                    int p = inputOffset + (i * 4);
                    int q = outputOffset + (i * 4);
                    output[q] = (byte)(input[p] ^ k);
                    output[q + 1] = (byte)(input[p + 1] ^ (k >> 8));
                    output[q + 2] = (byte)(input[p + 2] ^ (k >> 16));
                    output[q + 3] = (byte)(input[p + 3] ^ (k >> 24));
                }

                inputOffset += BlockSize;
                outputOffset += BlockSize;
                count -= BlockSize;
            }

            if (count > 0)
            {
                NextBlock();
                for (int j = 0; j < count; j++)
                {
                    output[outputOffset + j] = (byte)(input[inputOffset + j] ^ (w[j >> 2] >> ((j & 3) << 3)));
                }
            }
        }

        /// <summary>Zeroes the key, nonce and the last keystream block.</summary>
        internal void Clear()
        {
            Array.Clear(_input, 0, 16);
            Array.Clear(_block, 0, 16);
        }

        private static uint LoadLittleEndian(byte[] b, int p)
        {
            return b[p] | ((uint)b[p + 1] << 8) | ((uint)b[p + 2] << 16) | ((uint)b[p + 3] << 24);
        }

        /// <summary>RFC 8439 section 2.3: the block function (20 rounds, then add the input state), then counter + 1.</summary>
        private void NextBlock()
        {
            uint[] s = _input;
            uint x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
            uint x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = s[12], x13 = s[13], x14 = s[14], x15 = s[15];

            // Section 2.3: "inner_block" ten times; each is a column round then a diagonal round (section 2.1).
            for (int round = 0; round < 10; round++)
            {
                // Column round.
                x0 += x4;
                x12 ^= x0;
                x12 = (x12 << 16) | (x12 >> 16);
                x8 += x12;
                x4 ^= x8;
                x4 = (x4 << 12) | (x4 >> 20);
                x0 += x4;
                x12 ^= x0;
                x12 = (x12 << 8) | (x12 >> 24);
                x8 += x12;
                x4 ^= x8;
                x4 = (x4 << 7) | (x4 >> 25);
                x1 += x5;
                x13 ^= x1;
                x13 = (x13 << 16) | (x13 >> 16);
                x9 += x13;
                x5 ^= x9;
                x5 = (x5 << 12) | (x5 >> 20);
                x1 += x5;
                x13 ^= x1;
                x13 = (x13 << 8) | (x13 >> 24);
                x9 += x13;
                x5 ^= x9;
                x5 = (x5 << 7) | (x5 >> 25);
                x2 += x6;
                x14 ^= x2;
                x14 = (x14 << 16) | (x14 >> 16);
                x10 += x14;
                x6 ^= x10;
                x6 = (x6 << 12) | (x6 >> 20);
                x2 += x6;
                x14 ^= x2;
                x14 = (x14 << 8) | (x14 >> 24);
                x10 += x14;
                x6 ^= x10;
                x6 = (x6 << 7) | (x6 >> 25);
                x3 += x7;
                x15 ^= x3;
                x15 = (x15 << 16) | (x15 >> 16);
                x11 += x15;
                x7 ^= x11;
                x7 = (x7 << 12) | (x7 >> 20);
                x3 += x7;
                x15 ^= x3;
                x15 = (x15 << 8) | (x15 >> 24);
                x11 += x15;
                x7 ^= x11;
                x7 = (x7 << 7) | (x7 >> 25);

                // Diagonal round.
                x0 += x5;
                x15 ^= x0;
                x15 = (x15 << 16) | (x15 >> 16);
                x10 += x15;
                x5 ^= x10;
                x5 = (x5 << 12) | (x5 >> 20);
                x0 += x5;
                x15 ^= x0;
                x15 = (x15 << 8) | (x15 >> 24);
                x10 += x15;
                x5 ^= x10;
                x5 = (x5 << 7) | (x5 >> 25);
                x1 += x6;
                x12 ^= x1;
                x12 = (x12 << 16) | (x12 >> 16);
                x11 += x12;
                x6 ^= x11;
                x6 = (x6 << 12) | (x6 >> 20);
                x1 += x6;
                x12 ^= x1;
                x12 = (x12 << 8) | (x12 >> 24);
                x11 += x12;
                x6 ^= x11;
                x6 = (x6 << 7) | (x6 >> 25);
                x2 += x7;
                x13 ^= x2;
                x13 = (x13 << 16) | (x13 >> 16);
                x8 += x13;
                x7 ^= x8;
                x7 = (x7 << 12) | (x7 >> 20);
                x2 += x7;
                x13 ^= x2;
                x13 = (x13 << 8) | (x13 >> 24);
                x8 += x13;
                x7 ^= x8;
                x7 = (x7 << 7) | (x7 >> 25);
                x3 += x4;
                x14 ^= x3;
                x14 = (x14 << 16) | (x14 >> 16);
                x9 += x14;
                x4 ^= x9;
                x4 = (x4 << 12) | (x4 >> 20);
                x3 += x4;
                x14 ^= x3;
                x14 = (x14 << 8) | (x14 >> 24);
                x9 += x14;
                x4 ^= x9;
                x4 = (x4 << 7) | (x4 >> 25);
            }

            uint[] w = _block;
            w[0] = x0 + s[0];
            w[1] = x1 + s[1];
            w[2] = x2 + s[2];
            w[3] = x3 + s[3];
            w[4] = x4 + s[4];
            w[5] = x5 + s[5];
            w[6] = x6 + s[6];
            w[7] = x7 + s[7];
            w[8] = x8 + s[8];
            w[9] = x9 + s[9];
            w[10] = x10 + s[10];
            w[11] = x11 + s[11];
            w[12] = x12 + s[12];
            w[13] = x13 + s[13];
            w[14] = x14 + s[14];
            w[15] = x15 + s[15];

            // 32-bit block counter (section 2.3); callers stay far below 2^32 blocks (256 GB).
            s[12]++;
        }
    }
}
