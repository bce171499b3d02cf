using System;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// HKDF-SHA256, RFC 5869 (extract-then-expand over HMAC-SHA256). OP-0006 calls it with a 32-byte zero
    /// salt and 32 0xFF bytes prepended to the input keying material; that framing is the caller's (X3DH) job.
    /// </summary>
    /// <remarks>
    /// The instance reuses one <see cref="HmacSha256"/> and one 32-byte block, so Extract and Expand never
    /// allocate; both wipe the key-derived state before returning. Not thread-safe.
    /// </remarks>
    public sealed class HkdfSha256
    {
        /// <summary>HashLen of RFC 5869 section 2: 32 bytes for SHA-256. PRK is this long.</summary>
        public const int HashSize = Sha256.HashSize;

        /// <summary>RFC 5869 section 2.3: L &lt;= 255 * HashLen.</summary>
        public const int MaxOutputSize = 255 * HashSize;

        private readonly HmacSha256 _hmac = new HmacSha256();
        private readonly byte[] _block = new byte[HashSize];
        private readonly byte[] _counter = new byte[1];

        /// <summary>
        /// RFC 5869 section 2.2: PRK = HMAC-Hash(salt, IKM), 32 bytes written at <paramref name="prkOff"/>.
        /// A null or empty salt means HashLen zero bytes (the same HMAC key once padded to the block).
        /// </summary>
        public void Extract(byte[]? salt, int sOff, int sLen, byte[] ikm, int iOff, int iLen, byte[] prk, int prkOff)
        {
            ArgumentChecks.OptionalRange(salt, sOff, sLen, "salt", "sOff", "sLen");
            ArgumentChecks.Range(ikm, iOff, iLen, "ikm", "iOff", "iLen");
            ArgumentChecks.Fixed(prk, prkOff, HashSize, "prk", "prkOff");
            ExtractCore(salt, sOff, sLen, ikm, iOff, iLen, prk, prkOff);
        }

        /// <summary>
        /// RFC 5869 section 2.3: OKM = first L octets of T(1) || T(2) || ..., T(i) = HMAC(PRK, T(i-1) || info || i).
        /// <paramref name="prkLen"/> must be at least HashLen; <paramref name="oLen"/> at most 255 * HashLen.
        /// The output may overlap the PRK (the key is absorbed before any output is written) but not the info.
        /// </summary>
        public void Expand(byte[] prk, int prkOff, int prkLen, byte[]? info, int infoOff, int infoLen, byte[] output, int oOff, int oLen)
        {
            ArgumentChecks.Range(prk, prkOff, prkLen, "prk", "prkOff", "prkLen");
            if (prkLen < HashSize)
            {
                throw new ArgumentOutOfRangeException("prkLen", "RFC 5869 2.3: PRK is at least HashLen bytes.");
            }

            ArgumentChecks.OptionalRange(info, infoOff, infoLen, "info", "infoOff", "infoLen");
            ArgumentChecks.Range(output, oOff, oLen, "output", "oOff", "oLen");
            if (oLen > MaxOutputSize)
            {
                throw new ArgumentOutOfRangeException("oLen", "RFC 5869 2.3: L is at most 255 * HashLen.");
            }

            ExpandCore(prk, prkOff, prkLen, info, infoOff, infoLen, output, oOff, oLen);
        }

        /// <summary>Convenience form (allocates): Expand(Extract(salt, ikm), info, length). Null salt or info means empty.</summary>
        public static byte[] DeriveBytes(byte[] ikm, byte[]? salt, byte[]? info, int length)
        {
            if (ikm == null)
            {
                throw new ArgumentNullException("ikm");
            }

            if (length < 0 || length > MaxOutputSize)
            {
                throw new ArgumentOutOfRangeException("length", "RFC 5869 2.3: 0 <= L <= 255 * HashLen.");
            }

            HkdfSha256 hkdf = new HkdfSha256();
            byte[] prk = new byte[HashSize];
            byte[] output = new byte[length];
            hkdf.ExtractCore(salt, 0, salt == null ? 0 : salt.Length, ikm, 0, ikm.Length, prk, 0);
            hkdf.ExpandCore(prk, 0, HashSize, info, 0, info == null ? 0 : info.Length, output, 0, length);
            Array.Clear(prk, 0, HashSize);
            return output;
        }

        internal void ExtractCore(byte[]? salt, int sOff, int sLen, byte[] ikm, int iOff, int iLen, byte[] prk, int prkOff)
        {
            // A null salt with sLen 0 keys HMAC with the empty string: padded to the block it equals HashLen zeros.
            _hmac.InitCore(salt == null ? _block : salt, salt == null ? 0 : sOff, sLen);
            _hmac.UpdateCore(ikm, iOff, iLen);
            _hmac.FinalCore(prk, prkOff);
            _hmac.Clear();
        }

        internal void ExpandCore(byte[] prk, int prkOff, int prkLen, byte[]? info, int infoOff, int infoLen, byte[] output, int oOff, int oLen)
        {
            _hmac.InitCore(prk, prkOff, prkLen);
            byte[] block = _block;
            int done = 0;
            for (int i = 1; done < oLen; i++)
            {
                if (i > 1)
                {
                    _hmac.UpdateCore(block, 0, HashSize);
                }

                if (infoLen > 0)
                {
                    _hmac.UpdateCore(info!, infoOff, infoLen);
                }

                _counter[0] = (byte)i;
                _hmac.UpdateCore(_counter, 0, 1);
                _hmac.FinalCore(block, 0);

                int take = oLen - done < HashSize ? oLen - done : HashSize;
                Array.Copy(block, 0, output, oOff + done, take);
                done += take;
            }

            Array.Clear(block, 0, HashSize);
            _counter[0] = 0;
            _hmac.Clear();
        }
    }
}
