using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// SHA-512, FIPS 180-4 (August 2015) sections 4.1.3, 4.2.3, 5.1.2, 5.3.5 and 6.4.
    /// Used by XEdDSA (hash of R || A || M) and by the Ed25519 group code.
    /// </summary>
    /// <remarks>
    /// One instance owns its chaining state, its 80-word message schedule and its 128-byte block buffer, so
    /// <see cref="Update"/> and <see cref="Final"/> never allocate. Not thread-safe: one instance per caller.
    /// The rounds are unrolled eight at a time so the working variables rename instead of moving (FIPS 180-4
    /// 6.4.2 step 3 shifts h..a every round; eight shifts bring them back to their places). The round
    /// functions are written inline because the nanoFramework interpreter does not inline method calls.
    /// </remarks>
    public sealed class Sha512
    {
        /// <summary>Digest size in bytes (FIPS 180-4 section 1, 512-bit message digest).</summary>
        public const int HashSize = 64;

        /// <summary>Block size in bytes (FIPS 180-4 section 1, 1024-bit blocks).</summary>
        public const int BlockSize = 128;

        /// <summary>Offset of the 128-bit length field in the final padded block (FIPS 180-4 5.1.2).</summary>
        private const int LengthOffset = BlockSize - 16;

        private const int Rounds = 80;

        /// <summary>FIPS 180-4 4.2.3: first 64 bits of the fractional parts of the cube roots of the first 80 primes.</summary>
        private static readonly ulong[] K =
        {
            0x428a2f98d728ae22UL, 0x7137449123ef65cdUL, 0xb5c0fbcfec4d3b2fUL, 0xe9b5dba58189dbbcUL,
            0x3956c25bf348b538UL, 0x59f111f1b605d019UL, 0x923f82a4af194f9bUL, 0xab1c5ed5da6d8118UL,
            0xd807aa98a3030242UL, 0x12835b0145706fbeUL, 0x243185be4ee4b28cUL, 0x550c7dc3d5ffb4e2UL,
            0x72be5d74f27b896fUL, 0x80deb1fe3b1696b1UL, 0x9bdc06a725c71235UL, 0xc19bf174cf692694UL,
            0xe49b69c19ef14ad2UL, 0xefbe4786384f25e3UL, 0x0fc19dc68b8cd5b5UL, 0x240ca1cc77ac9c65UL,
            0x2de92c6f592b0275UL, 0x4a7484aa6ea6e483UL, 0x5cb0a9dcbd41fbd4UL, 0x76f988da831153b5UL,
            0x983e5152ee66dfabUL, 0xa831c66d2db43210UL, 0xb00327c898fb213fUL, 0xbf597fc7beef0ee4UL,
            0xc6e00bf33da88fc2UL, 0xd5a79147930aa725UL, 0x06ca6351e003826fUL, 0x142929670a0e6e70UL,
            0x27b70a8546d22ffcUL, 0x2e1b21385c26c926UL, 0x4d2c6dfc5ac42aedUL, 0x53380d139d95b3dfUL,
            0x650a73548baf63deUL, 0x766a0abb3c77b2a8UL, 0x81c2c92e47edaee6UL, 0x92722c851482353bUL,
            0xa2bfe8a14cf10364UL, 0xa81a664bbc423001UL, 0xc24b8b70d0f89791UL, 0xc76c51a30654be30UL,
            0xd192e819d6ef5218UL, 0xd69906245565a910UL, 0xf40e35855771202aUL, 0x106aa07032bbd1b8UL,
            0x19a4c116b8d2d0c8UL, 0x1e376c085141ab53UL, 0x2748774cdf8eeb99UL, 0x34b0bcb5e19b48a8UL,
            0x391c0cb3c5c95a63UL, 0x4ed8aa4ae3418acbUL, 0x5b9cca4f7763e373UL, 0x682e6ff3d6b2b8a3UL,
            0x748f82ee5defb2fcUL, 0x78a5636f43172f60UL, 0x84c87814a1f0ab72UL, 0x8cc702081a6439ecUL,
            0x90befffa23631e28UL, 0xa4506cebde82bde9UL, 0xbef9a3f7b2c67915UL, 0xc67178f2e372532bUL,
            0xca273eceea26619cUL, 0xd186b8c721c0c207UL, 0xeada7dd6cde0eb1eUL, 0xf57d4f7fee6ed178UL,
            0x06f067aa72176fbaUL, 0x0a637dc5a2c898a6UL, 0x113f9804bef90daeUL, 0x1b710b35131c471bUL,
            0x28db77f523047d84UL, 0x32caab7b40c72493UL, 0x3c9ebe0a15c9bebcUL, 0x431d67c49c100d4cUL,
            0x4cc5d4becb3e42b6UL, 0x597f299cfc657e2aUL, 0x5fcb6fab3ad6faecUL, 0x6c44198c4a475817UL,
        };

        /// <summary>FIPS 180-4 5.3.5: first 64 bits of the fractional parts of the square roots of the first 8 primes.</summary>
        private static readonly ulong[] InitialState =
        {
            0x6a09e667f3bcc908UL, 0xbb67ae8584caa73bUL, 0x3c6ef372fe94f82bUL, 0xa54ff53a5f1d36f1UL,
            0x510e527fade682d1UL, 0x9b05688c2b3e6c1fUL, 0x1f83d9abfb41bd6bUL, 0x5be0cd19137e2179UL,
        };

        private readonly ulong[] _state = new ulong[8];
        private readonly ulong[] _schedule = new ulong[Rounds];
        private readonly byte[] _buffer = new byte[BlockSize];

        /// <summary>Message length so far, in bytes (FIPS 180-4 limits the message to 2^128 - 1 bits; 2^64 bytes is ample).</summary>
        private ulong _length;

        /// <summary>Creates a hasher ready for <see cref="Update"/>.</summary>
        public Sha512()
        {
            Reset();
        }

        /// <summary>Discards any absorbed input and zeroes the buffered data and the schedule.</summary>
        public void Reset()
        {
            Array.Copy(InitialState, _state, 8);
            Array.Clear(_schedule, 0, Rounds);
            Array.Clear(_buffer, 0, BlockSize);
            _length = 0;
        }

        /// <summary>Absorbs <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public void Update(byte[] data, int offset, int count)
        {
            ArgumentChecks.Range(data, offset, count, "data", "offset", "count");
            UpdateCore(data, offset, count);
        }

        /// <summary>Writes the 64-byte digest at <paramref name="offset"/>, then resets for a new message.</summary>
        public void Final(byte[] output, int offset)
        {
            ArgumentChecks.Fixed(output, offset, HashSize, "output", "offset");
            FinalCore(output, offset);
        }

        /// <summary>Convenience form: the digest of all of <paramref name="data"/> (allocates).</summary>
        public static byte[] Hash(byte[] data)
        {
            if (data == null)
            {
                throw new ArgumentNullException("data");
            }

            byte[] output = new byte[HashSize];
            Sha512 sha = new Sha512();
            sha.UpdateCore(data, 0, data.Length);
            sha.FinalCore(output, 0);
            return output;
        }

        /// <summary>Convenience form writing into a caller buffer (allocates the hasher).</summary>
        public static void Hash(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            ArgumentChecks.Range(data, offset, count, "data", "offset", "count");
            ArgumentChecks.Fixed(output, outputOffset, HashSize, "output", "outputOffset");
            Sha512 sha = new Sha512();
            sha.UpdateCore(data, offset, count);
            sha.FinalCore(output, outputOffset);
        }

        internal void UpdateCore(byte[] data, int offset, int count)
        {
            if (count == 0)
            {
                return;
            }

            int used = (int)(_length & (BlockSize - 1));
            _length += (ulong)count;
            if (used != 0)
            {
                int room = BlockSize - used;
                if (count < room)
                {
                    Array.Copy(data, offset, _buffer, used, count);
                    return;
                }

                Array.Copy(data, offset, _buffer, used, room);
                Compress(_buffer, 0);
                offset += room;
                count -= room;
            }

            // Whole blocks are compressed straight from the caller's array, without a copy.
            while (count >= BlockSize)
            {
                Compress(data, offset);
                offset += BlockSize;
                count -= BlockSize;
            }

            if (count > 0)
            {
                Array.Copy(data, offset, _buffer, 0, count);
            }
        }

        internal void FinalCore(byte[] output, int offset)
        {
            // FIPS 180-4 5.1.2: append bit 1, zeros up to 896 mod 1024 bits, then the length as 128 bits.
            int used = (int)(_length & (BlockSize - 1));
            _buffer[used++] = 0x80;
            if (used > LengthOffset)
            {
                Array.Clear(_buffer, used, BlockSize - used);
                Compress(_buffer, 0);
                used = 0;
            }

            Array.Clear(_buffer, used, LengthOffset - used);
            StoreBigEndian(_length >> 61, _buffer, LengthOffset);
            StoreBigEndian(_length << 3, _buffer, LengthOffset + 8);
            Compress(_buffer, 0);

            ulong[] s = _state;
            for (int i = 0; i < 8; i++)
            {
                StoreBigEndian(s[i], output, offset + (i * 8));
            }

            Reset();
        }

        private static void StoreBigEndian(ulong value, byte[] buffer, int offset)
        {
            uint hi = (uint)(value >> 32);
            uint lo = (uint)value;
            buffer[offset] = (byte)(hi >> 24);
            buffer[offset + 1] = (byte)(hi >> 16);
            buffer[offset + 2] = (byte)(hi >> 8);
            buffer[offset + 3] = (byte)hi;
            buffer[offset + 4] = (byte)(lo >> 24);
            buffer[offset + 5] = (byte)(lo >> 16);
            buffer[offset + 6] = (byte)(lo >> 8);
            buffer[offset + 7] = (byte)lo;
        }

        /// <summary>FIPS 180-4 6.4.2: one 1024-bit block from <paramref name="block"/> at <paramref name="offset"/>.</summary>
        private void Compress(byte[] block, int offset)
        {
            ulong[] w = _schedule;
            ulong[] k = K;

            // Step 1: the first 16 words are the block read big-endian; two 32-bit halves keep the
            // interpreter on 32-bit shifts for most of the work.
            for (int t = 0; t < 16; t++)
            {
                int p = offset + (t * 8);
                uint hi = ((uint)block[p] << 24) | ((uint)block[p + 1] << 16) | ((uint)block[p + 2] << 8) | block[p + 3];
                uint lo = ((uint)block[p + 4] << 24) | ((uint)block[p + 5] << 16) | ((uint)block[p + 6] << 8) | block[p + 7];
                w[t] = ((ulong)hi << 32) | lo;
            }

            for (int t = 16; t < Rounds; t++)
            {
                ulong x = w[t - 2];
                ulong y = w[t - 15];
                w[t] = (((x >> 19) | (x << 45)) ^ ((x >> 61) | (x << 3)) ^ (x >> 6)) + w[t - 7]
                     + (((y >> 1) | (y << 63)) ^ ((y >> 8) | (y << 56)) ^ (y >> 7)) + w[t - 16];
            }

            ulong[] s = _state;
            ulong a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];

            // Steps 2-3 with Sigma0/Sigma1 (4.10, 4.11), Ch and Maj (4.8, 4.9) written out.
            for (int i = 0; i < Rounds; i += 8)
            {
                h += (((e >> 14) | (e << 50)) ^ ((e >> 18) | (e << 46)) ^ ((e >> 41) | (e << 23))) + (g ^ (e & (f ^ g))) + k[i + 0] + w[i + 0];
                d += h;
                h += (((a >> 28) | (a << 36)) ^ ((a >> 34) | (a << 30)) ^ ((a >> 39) | (a << 25))) + ((a & b) | (c & (a | b)));
                g += (((d >> 14) | (d << 50)) ^ ((d >> 18) | (d << 46)) ^ ((d >> 41) | (d << 23))) + (f ^ (d & (e ^ f))) + k[i + 1] + w[i + 1];
                c += g;
                g += (((h >> 28) | (h << 36)) ^ ((h >> 34) | (h << 30)) ^ ((h >> 39) | (h << 25))) + ((h & a) | (b & (h | a)));
                f += (((c >> 14) | (c << 50)) ^ ((c >> 18) | (c << 46)) ^ ((c >> 41) | (c << 23))) + (e ^ (c & (d ^ e))) + k[i + 2] + w[i + 2];
                b += f;
                f += (((g >> 28) | (g << 36)) ^ ((g >> 34) | (g << 30)) ^ ((g >> 39) | (g << 25))) + ((g & h) | (a & (g | h)));
                e += (((b >> 14) | (b << 50)) ^ ((b >> 18) | (b << 46)) ^ ((b >> 41) | (b << 23))) + (d ^ (b & (c ^ d))) + k[i + 3] + w[i + 3];
                a += e;
                e += (((f >> 28) | (f << 36)) ^ ((f >> 34) | (f << 30)) ^ ((f >> 39) | (f << 25))) + ((f & g) | (h & (f | g)));
                d += (((a >> 14) | (a << 50)) ^ ((a >> 18) | (a << 46)) ^ ((a >> 41) | (a << 23))) + (c ^ (a & (b ^ c))) + k[i + 4] + w[i + 4];
                h += d;
                d += (((e >> 28) | (e << 36)) ^ ((e >> 34) | (e << 30)) ^ ((e >> 39) | (e << 25))) + ((e & f) | (g & (e | f)));
                c += (((h >> 14) | (h << 50)) ^ ((h >> 18) | (h << 46)) ^ ((h >> 41) | (h << 23))) + (b ^ (h & (a ^ b))) + k[i + 5] + w[i + 5];
                g += c;
                c += (((d >> 28) | (d << 36)) ^ ((d >> 34) | (d << 30)) ^ ((d >> 39) | (d << 25))) + ((d & e) | (f & (d | e)));
                b += (((g >> 14) | (g << 50)) ^ ((g >> 18) | (g << 46)) ^ ((g >> 41) | (g << 23))) + (a ^ (g & (h ^ a))) + k[i + 6] + w[i + 6];
                f += b;
                b += (((c >> 28) | (c << 36)) ^ ((c >> 34) | (c << 30)) ^ ((c >> 39) | (c << 25))) + ((c & d) | (e & (c | d)));
                a += (((f >> 14) | (f << 50)) ^ ((f >> 18) | (f << 46)) ^ ((f >> 41) | (f << 23))) + (h ^ (f & (g ^ h))) + k[i + 7] + w[i + 7];
                e += a;
                a += (((b >> 28) | (b << 36)) ^ ((b >> 34) | (b << 30)) ^ ((b >> 39) | (b << 25))) + ((b & c) | (d & (b | c)));
            }

            s[0] += a;
            s[1] += b;
            s[2] += c;
            s[3] += d;
            s[4] += e;
            s[5] += f;
            s[6] += g;
            s[7] += h;
        }
    }
}
