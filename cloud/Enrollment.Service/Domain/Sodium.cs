using System.Runtime.InteropServices;
using Enrollment.Protocol.Crypto;

namespace Enrollment.Service.Domain;

/// <summary>
/// The service's public-key operations on libsodium (the native library the NSec package ships): X25519
/// (crypto_scalarmult, RFC 7748) and XEdDSA verification mapped onto Ed25519 verification
/// (crypto_sign_verify_detached), as the Signal XEdDSA specification (rev 1, section 2.6) describes:
/// reject u >= p and s >= 2^253, convert the Montgomery u to the Edwards y = (u - 1) / (u + 1) with sign bit
/// 0, then verify as Ed25519. Signing (for SPK_A) uses libsodium's edwards25519 scalar and point functions.
/// </summary>
internal static partial class Sodium
{
    public const int KeySize = 32;
    public const int SignatureSize = 64;

    static Sodium()
    {
        if (NativeMethods.sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise.");
        }
    }

    /// <summary>X25519(privateKey, publicKey); false when the result is all zero (a low-order peer key).</summary>
    public static bool TryDh(byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset, byte[] output, int outputOffset)
    {
        var q = new byte[KeySize];
        var n = privateKey.AsSpan(privateKeyOffset, KeySize).ToArray();
        var p = publicKey.AsSpan(publicKeyOffset, KeySize).ToArray();
        try
        {
            // libsodium returns -1 for an all-zero output (its own constant-time check).
            var rc = NativeMethods.crypto_scalarmult(q, n, p);
            q.CopyTo(output, outputOffset);
            return rc == 0;
        }
        finally
        {
            Array.Clear(n);
            Array.Clear(q);
        }
    }

    public static byte[] PublicKey(byte[] privateKey)
    {
        var q = new byte[KeySize];
        if (NativeMethods.crypto_scalarmult_base(q, privateKey) != 0)
        {
            throw new InvalidOperationException("crypto_scalarmult_base failed.");
        }

        return q;
    }

    public static bool VerifyXEdDsa(byte[] publicKey, int publicKeyOffset, byte[] message, int messageOffset, int messageLength, byte[] signature, int signatureOffset)
    {
        // u: RFC 7748 decoding masks bit 255; XEdDSA then requires u < p.
        var uBytes = publicKey.AsSpan(publicKeyOffset, KeySize).ToArray();
        uBytes[31] &= 0x7F;
        if (IsAtLeastP(uBytes))
        {
            return false;
        }

        // s >= 2^253 (the top three bits of the last byte) is rejected before any curve work.
        if ((signature[signatureOffset + 63] & 0xE0) != 0)
        {
            return false;
        }

        // y = (u - 1) / (u + 1) mod p; u = -1 has no Edwards point (division by zero) and is rejected.
        var edwards = new byte[KeySize];
        if (!TryMontgomeryToEdwardsY(uBytes, edwards))
        {
            return false;
        }

        edwards[31] &= 0x7F; // sign bit 0 (XEdDSA calculate_key_pair forces it; a canonical y has it clear anyway)

        var sig = signature.AsSpan(signatureOffset, SignatureSize).ToArray();
        var msg = message.AsSpan(messageOffset, messageLength).ToArray();
        return NativeMethods.crypto_sign_verify_detached(sig, msg, (ulong)msg.Length, edwards) == 0;
    }

    private static readonly byte[] Hash1Prefix = MakeHash1Prefix();

    /// <summary>One workspace per thread: the shared field code allocates nothing per call but is not thread safe.</summary>
    [ThreadStatic]
    private static Curve25519Workspace? t_workspace;

    /// <summary>
    /// y = (u - 1) / (u + 1) mod p (RFC 7748 section 4.1) with the shared protocol code's field arithmetic;
    /// false for u = -1. libsodium has no Montgomery-to-Edwards map (only the reverse).
    /// </summary>
    internal static bool TryMontgomeryToEdwardsY(byte[] u, byte[] y) =>
        (t_workspace ??= new Curve25519Workspace()).MontgomeryToEdwardsY(u, 0, y, 0);

    /// <summary>u (bit 255 already clear) >= p = 2^255 - 19: bytes 1..30 all 0xFF, byte 31 = 0x7F, byte 0 >= 0xED.</summary>
    private static bool IsAtLeastP(byte[] u)
    {
        if (u[31] != 0x7F || u[0] < 0xED)
        {
            return false;
        }

        for (var i = 1; i < 31; i++)
        {
            if (u[i] != 0xFF)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// XEdDSA-Sign (Signal XEdDSA spec rev 1, section 2.5) on libsodium's edwards25519 scalar and point
    /// functions: k is the clamped X25519 private key; E = kB; A = E with sign bit 0, a = -k mod q when E's
    /// sign bit is 1 (else k mod q); r = hash1(a || M || Z) mod q; R = rB; h = SHA-512(R || A || M) mod q;
    /// s = r + h a mod q; signature = R || s. hash1(X) = SHA-512(0xFE || 0xFF x 31 || X) (section 2.4).
    /// </summary>
    public static void SignXEdDsa(byte[] privateKey, int privateKeyOffset, byte[] message, int messageOffset, int messageLength,
        byte[] random, int randomOffset, byte[] signature, int signatureOffset)
    {
        var k = privateKey.AsSpan(privateKeyOffset, KeySize).ToArray();
        var e = new byte[KeySize];
        var wide = new byte[64];
        var a = new byte[KeySize];
        var r = new byte[KeySize];
        var rPoint = new byte[KeySize];
        var h = new byte[KeySize];
        var s = new byte[KeySize];
        try
        {
            k[0] &= 248;
            k[31] &= 127;
            k[31] |= 64;
            if (NativeMethods.crypto_scalarmult_ed25519_base_noclamp(e, k) != 0)
            {
                throw new InvalidOperationException("crypto_scalarmult_ed25519_base_noclamp failed.");
            }

            var signBit = (e[31] >> 7) & 1;
            e[31] &= 0x7F; // A
            k.CopyTo(wide, 0);
            NativeMethods.crypto_core_ed25519_scalar_reduce(a, wide);
            if (signBit == 1)
            {
                var negated = new byte[KeySize];
                NativeMethods.crypto_core_ed25519_scalar_negate(negated, a);
                negated.CopyTo(a, 0);
                Array.Clear(negated);
            }

            var input = new byte[Hash1Prefix.Length + KeySize + messageLength + 64];
            Hash1Prefix.CopyTo(input, 0);
            a.CopyTo(input, Hash1Prefix.Length);
            Array.Copy(message, messageOffset, input, Hash1Prefix.Length + KeySize, messageLength);
            Array.Copy(random, randomOffset, input, Hash1Prefix.Length + KeySize + messageLength, 64);
            System.Security.Cryptography.SHA512.HashData(input, wide);
            Array.Clear(input);
            NativeMethods.crypto_core_ed25519_scalar_reduce(r, wide);
            if (NativeMethods.crypto_scalarmult_ed25519_base_noclamp(rPoint, r) != 0)
            {
                throw new InvalidOperationException("crypto_scalarmult_ed25519_base_noclamp failed.");
            }

            var hInput = new byte[KeySize + KeySize + messageLength];
            rPoint.CopyTo(hInput, 0);
            e.CopyTo(hInput, KeySize);
            Array.Copy(message, messageOffset, hInput, 2 * KeySize, messageLength);
            System.Security.Cryptography.SHA512.HashData(hInput, wide);
            NativeMethods.crypto_core_ed25519_scalar_reduce(h, wide);
            NativeMethods.crypto_core_ed25519_scalar_mul(s, h, a);
            NativeMethods.crypto_core_ed25519_scalar_add(s, s, r);
            rPoint.CopyTo(signature, signatureOffset);
            s.CopyTo(signature, signatureOffset + KeySize);
        }
        finally
        {
            Array.Clear(k);
            Array.Clear(wide);
            Array.Clear(a);
            Array.Clear(r);
            Array.Clear(h);
        }
    }

    private static byte[] MakeHash1Prefix()
    {
        var p = new byte[32];
        Array.Fill(p, (byte)0xFF);
        p[0] = 0xFE;
        return p;
    }

    private static partial class NativeMethods
    {
        private const string Lib = "libsodium";

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int sodium_init();

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_scalarmult(byte[] q, byte[] n, byte[] p);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_scalarmult_base(byte[] q, byte[] n);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_sign_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial int crypto_scalarmult_ed25519_base_noclamp(byte[] q, byte[] n);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial void crypto_core_ed25519_scalar_reduce(byte[] r, byte[] s);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial void crypto_core_ed25519_scalar_negate(byte[] neg, byte[] s);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial void crypto_core_ed25519_scalar_mul(byte[] z, byte[] x, byte[] y);

        [LibraryImport(Lib)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static partial void crypto_core_ed25519_scalar_add(byte[] z, byte[] x, byte[] y);
    }
}
