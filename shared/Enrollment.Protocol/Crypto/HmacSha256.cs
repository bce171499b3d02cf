using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// HMAC-SHA256: RFC 2104 section 2 over SHA-256 (FIPS 180-4), as used by HKDF-SHA256 (RFC 5869) in OP-0006.
    /// </summary>
    /// <remarks>
    /// <see cref="Init"/> hashes the key blocks K0 ^ ipad and K0 ^ opad once and keeps the two SHA-256 states,
    /// so every MAC under that key costs two compressions fewer (HKDF-Expand computes several under one PRK).
    /// After <see cref="Final"/> the instance is ready for another message under the same key;
    /// <see cref="Clear"/> wipes the key-derived states. Instance methods never allocate. Not thread-safe.
    /// </remarks>
    public sealed class HmacSha256
    {
        /// <summary>MAC size in bytes (RFC 2104: the output length of SHA-256).</summary>
        public const int MacSize = Sha256.HashSize;

        /// <summary>RFC 2104 section 2: keys are padded to the hash's block size B = 64 bytes.</summary>
        private const int BlockSize = Sha256.BlockSize;

        /// <summary>RFC 2104 section 2: ipad = 0x36 repeated B times, opad = 0x5C repeated B times.</summary>
        private const byte InnerPad = 0x36;

        private const byte OuterPad = 0x5C;

        private readonly Sha256 _sha = new Sha256();
        private readonly uint[] _innerState = new uint[8];
        private readonly uint[] _outerState = new uint[8];
        private readonly byte[] _block = new byte[BlockSize];
        private readonly byte[] _innerHash = new byte[MacSize];
        private bool _keyed;

        /// <summary>Sets the key (any length; keys longer than 64 bytes are hashed first, RFC 2104 section 3).</summary>
        public void Init(byte[] key, int offset, int count)
        {
            ArgumentChecks.Range(key, offset, count, "key", "offset", "count");
            InitCore(key, offset, count);
        }

        /// <summary>Absorbs message bytes.</summary>
        public void Update(byte[] data, int offset, int count)
        {
            ArgumentChecks.Range(data, offset, count, "data", "offset", "count");
            RequireKey();
            _sha.UpdateCore(data, offset, count);
        }

        /// <summary>Writes the 32-byte MAC at <paramref name="offset"/>; the key stays set for the next message.</summary>
        public void Final(byte[] output, int offset)
        {
            ArgumentChecks.Fixed(output, offset, MacSize, "output", "offset");
            RequireKey();
            FinalCore(output, offset);
        }

        /// <summary>Zeroes the key-derived states; <see cref="Init"/> is needed before the next use.</summary>
        public void Clear()
        {
            Array.Clear(_innerState, 0, 8);
            Array.Clear(_outerState, 0, 8);
            Array.Clear(_block, 0, BlockSize);
            Array.Clear(_innerHash, 0, MacSize);
            _sha.Reset();
            _keyed = false;
        }

        /// <summary>Convenience form (allocates): HMAC-SHA256(key, data).</summary>
        public static byte[] Compute(byte[] key, byte[] data)
        {
            if (key == null)
            {
                throw new ArgumentNullException("key");
            }

            if (data == null)
            {
                throw new ArgumentNullException("data");
            }

            byte[] output = new byte[MacSize];
            ComputeCore(key, 0, key.Length, data, 0, data.Length, output, 0);
            return output;
        }

        /// <summary>Convenience form writing into a caller buffer (allocates the working state).</summary>
        public static void Compute(byte[] key, int kOff, int kLen, byte[] data, int dOff, int dLen, byte[] output, int oOff)
        {
            ArgumentChecks.Range(key, kOff, kLen, "key", "kOff", "kLen");
            ArgumentChecks.Range(data, dOff, dLen, "data", "dOff", "dLen");
            ArgumentChecks.Fixed(output, oOff, MacSize, "output", "oOff");
            ComputeCore(key, kOff, kLen, data, dOff, dLen, output, oOff);
        }

        private static void ComputeCore(byte[] key, int kOff, int kLen, byte[] data, int dOff, int dLen, byte[] output, int oOff)
        {
            HmacSha256 hmac = new HmacSha256();
            hmac.InitCore(key, kOff, kLen);
            hmac._sha.UpdateCore(data, dOff, dLen);
            hmac.FinalCore(output, oOff);
            hmac.Clear();
        }

        internal void InitCore(byte[] key, int offset, int count)
        {
            // RFC 2104 section 2 step (1): K0 is the key, or H(key) when longer than B, zero-padded to B bytes.
            byte[] block = _block;
            Array.Clear(block, 0, BlockSize);
            if (count > BlockSize)
            {
                _sha.Reset();
                _sha.UpdateCore(key, offset, count);
                _sha.FinalCore(block, 0);
            }
            else
            {
                Array.Copy(key, offset, block, 0, count);
            }

            // Steps (2)-(3) and (6)-(7) up to the block boundary: compress K0 ^ opad and K0 ^ ipad once.
            for (int i = 0; i < BlockSize; i++)
            {
                block[i] ^= OuterPad;
            }

            _sha.Reset();
            _sha.UpdateCore(block, 0, BlockSize);
            _sha.ExportState(_outerState);

            for (int i = 0; i < BlockSize; i++)
            {
                block[i] ^= OuterPad ^ InnerPad;
            }

            _sha.Reset();
            _sha.UpdateCore(block, 0, BlockSize);
            _sha.ExportState(_innerState);
            Array.Clear(block, 0, BlockSize);
            _keyed = true;
        }

        internal void UpdateCore(byte[] data, int offset, int count)
        {
            _sha.UpdateCore(data, offset, count);
        }

        internal void FinalCore(byte[] output, int offset)
        {
            // Step (4)-(5): inner = H((K0 ^ ipad) || text); steps (8)-(9): H((K0 ^ opad) || inner).
            _sha.FinalCore(_innerHash, 0);
            _sha.ImportState(_outerState, BlockSize);
            _sha.UpdateCore(_innerHash, 0, MacSize);
            _sha.FinalCore(output, offset);
            Array.Clear(_innerHash, 0, MacSize);

            // Re-arm for the next message under the same key.
            _sha.ImportState(_innerState, BlockSize);
        }

        private void RequireKey()
        {
            if (!_keyed)
            {
                throw new InvalidOperationException("Init must set a key first.");
            }
        }
    }
}
