using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// SHA-256, FIPS 180-4 (August 2015) sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2.
    /// The hash under HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) in OP-0006.
    /// </summary>
    /// <remarks>
    /// One instance owns its chaining state, its 64-word message schedule and its 64-byte block buffer, so
    /// <see cref="Update"/> and <see cref="Final"/> never allocate. Not thread-safe: one instance per caller.
    /// The rounds are unrolled eight at a time so the working variables rename instead of moving (FIPS 180-4
    /// 6.2.2 step 3 shifts h..a every round), and the round functions are written inline because the
    /// nanoFramework interpreter does not inline method calls.
    /// </remarks>
    public sealed class Sha256
    {
        /// <summary>Digest size in bytes (FIPS 180-4 section 1, 256-bit message digest).</summary>
        public const int HashSize = 32;

        /// <summary>Block size in bytes (FIPS 180-4 section 1, 512-bit blocks).</summary>
        public const int BlockSize = 64;

        /// <summary>Offset of the 64-bit length field in the final padded block (FIPS 180-4 5.1.1).</summary>
        private const int LengthOffset = BlockSize - 8;

        private const int Rounds = 64;

        /// <summary>FIPS 180-4 4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.</summary>
        private static readonly uint[] K =
        {
            0x428a2f98U, 0x71374491U, 0xb5c0fbcfU, 0xe9b5dba5U, 0x3956c25bU, 0x59f111f1U, 0x923f82a4U, 0xab1c5ed5U,
            0xd807aa98U, 0x12835b01U, 0x243185beU, 0x550c7dc3U, 0x72be5d74U, 0x80deb1feU, 0x9bdc06a7U, 0xc19bf174U,
            0xe49b69c1U, 0xefbe4786U, 0x0fc19dc6U, 0x240ca1ccU, 0x2de92c6fU, 0x4a7484aaU, 0x5cb0a9dcU, 0x76f988daU,
            0x983e5152U, 0xa831c66dU, 0xb00327c8U, 0xbf597fc7U, 0xc6e00bf3U, 0xd5a79147U, 0x06ca6351U, 0x14292967U,
            0x27b70a85U, 0x2e1b2138U, 0x4d2c6dfcU, 0x53380d13U, 0x650a7354U, 0x766a0abbU, 0x81c2c92eU, 0x92722c85U,
            0xa2bfe8a1U, 0xa81a664bU, 0xc24b8b70U, 0xc76c51a3U, 0xd192e819U, 0xd6990624U, 0xf40e3585U, 0x106aa070U,
            0x19a4c116U, 0x1e376c08U, 0x2748774cU, 0x34b0bcb5U, 0x391c0cb3U, 0x4ed8aa4aU, 0x5b9cca4fU, 0x682e6ff3U,
            0x748f82eeU, 0x78a5636fU, 0x84c87814U, 0x8cc70208U, 0x90befffaU, 0xa4506cebU, 0xbef9a3f7U, 0xc67178f2U,
        };

        /// <summary>FIPS 180-4 5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.</summary>
        private static readonly uint[] InitialState =
        {
            0x6a09e667U, 0xbb67ae85U, 0x3c6ef372U, 0xa54ff53aU, 0x510e527fU, 0x9b05688cU, 0x1f83d9abU, 0x5be0cd19U,
        };

        private readonly uint[] _state = new uint[8];
        private readonly uint[] _schedule = new uint[Rounds];
        private readonly byte[] _buffer = new byte[BlockSize];

        /// <summary>Message length so far, in bytes (FIPS 180-4 limits the message to 2^64 - 1 bits).</summary>
        private ulong _length;

        /// <summary>Creates a hasher ready for <see cref="Update"/>.</summary>
        public Sha256()
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

        /// <summary>Writes the 32-byte digest at <paramref name="offset"/>, then resets for a new message.</summary>
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
            Sha256 sha = new Sha256();
            sha.UpdateCore(data, 0, data.Length);
            sha.FinalCore(output, 0);
            return output;
        }

        /// <summary>Convenience form writing into a caller buffer (allocates the hasher).</summary>
        public static void Hash(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            ArgumentChecks.Range(data, offset, count, "data", "offset", "count");
            ArgumentChecks.Fixed(output, outputOffset, HashSize, "output", "outputOffset");
            Sha256 sha = new Sha256();
            sha.UpdateCore(data, offset, count);
            sha.FinalCore(output, outputOffset);
        }

        /// <summary>
        /// Copies the chaining value out. Valid between whole blocks only; HMAC uses it to keep the states after
        /// the ipad and opad blocks so each later MAC under the same key skips those two compressions.
        /// </summary>
        internal void ExportState(uint[] destination)
        {
            Array.Copy(_state, destination, 8);
        }

        /// <summary>Resumes from a state saved by <see cref="ExportState"/> after <paramref name="length"/> bytes (a whole number of blocks).</summary>
        internal void ImportState(uint[] source, ulong length)
        {
            Array.Copy(source, _state, 8);
            _length = length;
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
            // FIPS 180-4 5.1.1: append bit 1, zeros up to 448 mod 512 bits, then the bit length as 64 bits.
            int used = (int)(_length & (BlockSize - 1));
            _buffer[used++] = 0x80;
            if (used > LengthOffset)
            {
                Array.Clear(_buffer, used, BlockSize - used);
                Compress(_buffer, 0);
                used = 0;
            }

            Array.Clear(_buffer, used, LengthOffset - used);
            ulong bits = _length << 3;
            StoreBigEndian((uint)(bits >> 32), _buffer, LengthOffset);
            StoreBigEndian((uint)bits, _buffer, LengthOffset + 4);
            Compress(_buffer, 0);

            uint[] s = _state;
            for (int i = 0; i < 8; i++)
            {
                StoreBigEndian(s[i], output, offset + (i * 4));
            }

            Reset();
        }

        private static void StoreBigEndian(uint value, byte[] buffer, int offset)
        {
            buffer[offset] = (byte)(value >> 24);
            buffer[offset + 1] = (byte)(value >> 16);
            buffer[offset + 2] = (byte)(value >> 8);
            buffer[offset + 3] = (byte)value;
        }

        /// <summary>FIPS 180-4 6.2.2: one 512-bit block from <paramref name="block"/> at <paramref name="offset"/>.</summary>
        private void Compress(byte[] block, int offset)
        {
            uint[] w = _schedule;
            uint[] k = K;

            // Step 1: the first 16 words are the block read big-endian, then sigma0/sigma1 (4.6, 4.7).
            for (int t = 0; t < 16; t++)
            {
                int p = offset + (t * 4);
                w[t] = ((uint)block[p] << 24) | ((uint)block[p + 1] << 16) | ((uint)block[p + 2] << 8) | block[p + 3];
            }

            for (int t = 16; t < Rounds; t++)
            {
                uint x = w[t - 2];
                uint y = w[t - 15];
                w[t] = (((x >> 17) | (x << 15)) ^ ((x >> 19) | (x << 13)) ^ (x >> 10)) + w[t - 7]
                     + (((y >> 7) | (y << 25)) ^ ((y >> 18) | (y << 14)) ^ (y >> 3)) + w[t - 16];
            }

            uint[] s = _state;
            uint a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];

            // Steps 2-3 with Sigma0/Sigma1 (4.4, 4.5), Ch and Maj (4.2, 4.3) written out.
            for (int i = 0; i < Rounds; i += 8)
            {
                h += (((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7))) + (g ^ (e & (f ^ g))) + k[i + 0] + w[i + 0];
                d += h;
                h += (((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10))) + ((a & b) | (c & (a | b)));
                g += (((d >> 6) | (d << 26)) ^ ((d >> 11) | (d << 21)) ^ ((d >> 25) | (d << 7))) + (f ^ (d & (e ^ f))) + k[i + 1] + w[i + 1];
                c += g;
                g += (((h >> 2) | (h << 30)) ^ ((h >> 13) | (h << 19)) ^ ((h >> 22) | (h << 10))) + ((h & a) | (b & (h | a)));
                f += (((c >> 6) | (c << 26)) ^ ((c >> 11) | (c << 21)) ^ ((c >> 25) | (c << 7))) + (e ^ (c & (d ^ e))) + k[i + 2] + w[i + 2];
                b += f;
                f += (((g >> 2) | (g << 30)) ^ ((g >> 13) | (g << 19)) ^ ((g >> 22) | (g << 10))) + ((g & h) | (a & (g | h)));
                e += (((b >> 6) | (b << 26)) ^ ((b >> 11) | (b << 21)) ^ ((b >> 25) | (b << 7))) + (d ^ (b & (c ^ d))) + k[i + 3] + w[i + 3];
                a += e;
                e += (((f >> 2) | (f << 30)) ^ ((f >> 13) | (f << 19)) ^ ((f >> 22) | (f << 10))) + ((f & g) | (h & (f | g)));
                d += (((a >> 6) | (a << 26)) ^ ((a >> 11) | (a << 21)) ^ ((a >> 25) | (a << 7))) + (c ^ (a & (b ^ c))) + k[i + 4] + w[i + 4];
                h += d;
                d += (((e >> 2) | (e << 30)) ^ ((e >> 13) | (e << 19)) ^ ((e >> 22) | (e << 10))) + ((e & f) | (g & (e | f)));
                c += (((h >> 6) | (h << 26)) ^ ((h >> 11) | (h << 21)) ^ ((h >> 25) | (h << 7))) + (b ^ (h & (a ^ b))) + k[i + 5] + w[i + 5];
                g += c;
                c += (((d >> 2) | (d << 30)) ^ ((d >> 13) | (d << 19)) ^ ((d >> 22) | (d << 10))) + ((d & e) | (f & (d | e)));
                b += (((g >> 6) | (g << 26)) ^ ((g >> 11) | (g << 21)) ^ ((g >> 25) | (g << 7))) + (a ^ (g & (h ^ a))) + k[i + 6] + w[i + 6];
                f += b;
                b += (((c >> 2) | (c << 30)) ^ ((c >> 13) | (c << 19)) ^ ((c >> 22) | (c << 10))) + ((c & d) | (e & (c | d)));
                a += (((f >> 6) | (f << 26)) ^ ((f >> 11) | (f << 21)) ^ ((f >> 25) | (f << 7))) + (h ^ (f & (g ^ h))) + k[i + 7] + w[i + 7];
                e += a;
                a += (((b >> 2) | (b << 30)) ^ ((b >> 13) | (b << 19)) ^ ((b >> 22) | (b << 10))) + ((b & c) | (d & (b | c)));
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
