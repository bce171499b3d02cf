extern alias Protocol;

using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NSec.Cryptography;
using Real = Protocol::Enrollment.Protocol.Crypto;

namespace Enrollment.Benchmarks;

/// <summary>Our X25519 and XEdDSA next to libsodium (the library NSec ships) in the same run.</summary>
[MemoryDiagnoser]
public class CurveBenchmarks
{
    private readonly Real.Curve25519Workspace ws = new();
    private readonly byte[] k = new byte[32], u = new byte[32], o = new byte[32], z = new byte[64], msg = new byte[33];
    private readonly byte[] sig = new byte[64], sodiumSig = new byte[64], sodiumPk = new byte[32], sodiumSk = new byte[64];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        rng.NextBytes(k);
        rng.NextBytes(z);
        rng.NextBytes(msg);
        Real.X25519.ScalarMultBase(k, 0, u, 0);
        ws.XEdDsaSign(k, 0, msg, 0, msg.Length, z, 0, sig, 0);
        Sodium.sodium_init();
        Sodium.crypto_sign_ed25519_seed_keypair(sodiumPk, sodiumSk, k);
        Sodium.crypto_sign_ed25519_detached(sodiumSig, out _, msg, (ulong)msg.Length, sodiumSk);
    }

    [Benchmark(Description = "X25519 ours")]
    public void X25519Ours() => ws.ScalarMult(k, 0, u, 0, o, 0);

    /// <summary>The ten-limb ladder the device runs (on .NET the one above takes the host-only 51-bit field).</summary>
    [Benchmark(Description = "X25519 ours, device field")]
    public void X25519OursPortable() => ws.ScalarMultPortable(k, 0, u, 0, o, 0);

    [Benchmark(Description = "X25519 libsodium")]
    public int X25519Sodium() => Sodium.crypto_scalarmult_curve25519(o, k, u);

    [Benchmark(Description = "X25519 base ours")]
    public void X25519BaseOurs() => ws.ScalarMultBase(k, 0, o, 0);

    [Benchmark(Description = "X25519 base libsodium")]
    public int X25519BaseSodium() => Sodium.crypto_scalarmult_curve25519_base(o, k);

    [Benchmark(Description = "XEdDSA sign ours")]
    public void XEdDsaSignOurs() => ws.XEdDsaSign(k, 0, msg, 0, msg.Length, z, 0, sig, 0);

    [Benchmark(Description = "Ed25519 sign libsodium")]
    public int Ed25519SignSodium() => Sodium.crypto_sign_ed25519_detached(sodiumSig, out _, msg, (ulong)msg.Length, sodiumSk);

    [Benchmark(Description = "XEdDSA verify ours")]
    public bool XEdDsaVerifyOurs() => ws.XEdDsaVerify(u, 0, msg, 0, msg.Length, sig, 0);

    [Benchmark(Description = "Ed25519 verify libsodium")]
    public int Ed25519VerifySodium() => Sodium.crypto_sign_ed25519_verify_detached(sodiumSig, msg, (ulong)msg.Length, sodiumPk);
}

/// <summary>ChaCha20-Poly1305 (RFC 8439) on 256 bytes, ours and libsodium's through NSec.</summary>
[MemoryDiagnoser]
public class AeadBenchmarks
{
    private readonly Real.ChaCha20Poly1305 aead = new();
    private readonly byte[] key = new byte[32], nonce = new byte[12], ad = new byte[16], pt = new byte[256], ct = new byte[272], back = new byte[256];
    private Key? nsecKey;

    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(key);
        nsecKey = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);
        aead.Encrypt(key, 0, nonce, 0, ad, 0, ad.Length, pt, 0, pt.Length, ct, 0);
    }

    [GlobalCleanup]
    public void Cleanup() => nsecKey?.Dispose();

    [Benchmark(Description = "ChaCha20-Poly1305 seal 256 B ours")]
    public void SealOurs() => aead.Encrypt(key, 0, nonce, 0, ad, 0, ad.Length, pt, 0, pt.Length, ct, 0);

    [Benchmark(Description = "ChaCha20-Poly1305 seal 256 B libsodium (NSec)")]
    public void SealNSec() => AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecKey!, nonce, ad, pt, ct);

    [Benchmark(Description = "ChaCha20-Poly1305 open 256 B ours")]
    public bool OpenOurs() => aead.TryDecrypt(key, 0, nonce, 0, ad, 0, ad.Length, ct, 0, ct.Length, back, 0);

    [Benchmark(Description = "ChaCha20-Poly1305 open 256 B libsodium (NSec)")]
    public bool OpenNSec() => AeadAlgorithm.ChaCha20Poly1305.Decrypt(nsecKey!, nonce, ad, ct, back);
}

internal static class Sodium
{
    private const string Lib = "libsodium";

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int sodium_init();

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_curve25519(byte[] q, byte[] n, byte[] p);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_scalarmult_curve25519_base(byte[] q, byte[] n);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_seed_keypair(byte[] pk, byte[] sk, byte[] seed);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_detached(byte[] sig, out ulong siglen, byte[] m, ulong mlen, byte[] sk);

    [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
    internal static extern int crypto_sign_ed25519_verify_detached(byte[] sig, byte[] m, ulong mlen, byte[] pk);
}
