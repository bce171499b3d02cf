using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Enrollment.Crypto.Tests.Curve;

/// <summary>Hex, vector files and a seeded RNG for the curve tests.</summary>
internal static class CurveTestSupport
{
    internal static byte[] Hex(string hex) => Convert.FromHexString(hex);

    internal static string ToHex(byte[] data) => Convert.ToHexString(data).ToLowerInvariant();

    internal static JsonDocument LoadVectors(string relativePath)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "vectors", relativePath);
        return JsonDocument.Parse(File.ReadAllText(path));
    }

    /// <summary>Deterministic randomness so a failure reproduces; the seed is printed by the tests.</summary>
    internal static Random Rng(int seed) => new(seed);

    internal static byte[] RandomBytes(Random rng, int count)
    {
        var b = new byte[count];
        rng.NextBytes(b);
        return b;
    }

    /// <summary>p = 2^255 - 19.</summary>
    internal static readonly System.Numerics.BigInteger P = System.Numerics.BigInteger.Pow(2, 255) - 19;

    internal static System.Numerics.BigInteger Num(byte[] le) => new(le, isUnsigned: true, isBigEndian: false);

    internal static byte[] Le32(System.Numerics.BigInteger v)
    {
        var b = new byte[32];
        v.TryWriteBytes(b, out _, isUnsigned: true, isBigEndian: false);
        return b;
    }

    /// <summary>
    /// The XEdDSA public key of an X25519 public key, computed independently of the code under test:
    /// y = (u - 1)/(u + 1) mod p, encoded with sign bit 0 (XEdDSA s2.2, RFC 7748 s4.1).
    /// </summary>
    internal static byte[] MontgomeryToEdwards(byte[] u)
    {
        var x = Num(u) % P;
        var y = (x - 1 + P) * System.Numerics.BigInteger.ModPow(x + 1, P - 2, P) % P;
        return Le32(y);
    }

    internal static byte[] Sha512(params byte[][] parts)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        foreach (var p in parts)
            h.AppendData(p);
        return h.GetHashAndReset();
    }
}

/// <summary>
/// libsodium 1.0.22 (the native library NSec.Cryptography ships) called directly for the low-level
/// functions NSec does not expose. sodium_init is idempotent and thread safe.
/// </summary>
internal static class Sodium
{
    private const string Lib = "libsodium";

    static Sodium()
    {
        if (sodium_init() < 0)
            throw new InvalidOperationException("sodium_init failed");
    }

    internal static void Init()
    {
        // Touching the class runs the static constructor.
    }

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sodium_init();

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_curve25519(byte[] q, byte[] n, byte[] p);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_curve25519_base(byte[] q, byte[] n);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_ed25519_base_noclamp(byte[] q, byte[] n);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_ed25519_noclamp(byte[] q, byte[] n, byte[] p);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_core_ed25519_is_valid_point(byte[] p);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_core_ed25519_add(byte[] r, byte[] p, byte[] q);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void crypto_core_ed25519_scalar_reduce(byte[] r, byte[] s);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void crypto_core_ed25519_scalar_negate(byte[] neg, byte[] s);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void crypto_core_ed25519_scalar_mul(byte[] z, byte[] x, byte[] y);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern void crypto_core_ed25519_scalar_add(byte[] z, byte[] x, byte[] y);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_seed_keypair(byte[] pk, byte[] sk, byte[] seed);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_detached(byte[] sig, out ulong siglen, byte[] m, ulong mlen, byte[] sk);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);
}
