using System.Diagnostics;
using System.Security.Cryptography;
using Enrollment.Service.Domain;
using NSec.Cryptography;

namespace Enrollment.Service.LoadBench;

/// <summary>
/// The crypto floor of one enrollment on libsodium, single thread: 4 X25519 (DH1..DH4), 1 XEdDSA verify,
/// HKDF-SHA256 (extract + 3 expands) and one ChaCha20-Poly1305 open of the 112-byte body plus one seal of
/// the result. What the service cannot avoid per enrollment; its CPU per enrollment is compared with this.
/// </summary>
internal static class CryptoFloor
{
    /// <summary>
    /// Microseconds per enrollment's crypto, as wall time and as this process's CPU time over the same loop.
    /// On a loaded machine the wall time includes time the thread was preempted; the CPU time does not (the
    /// bench's other threads are idle by then), so it is the fair one to set beside the service's CPU time.
    /// </summary>
    public static (double WallUs, double CpuUs) Measure(int iterations)
    {
        var privateKeys = Enumerable.Range(0, 4).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var peer = Sodium.PublicKey(RandomNumberGenerator.GetBytes(32));
        var signer = RandomNumberGenerator.GetBytes(32);
        var signerPublic = Sodium.PublicKey(signer);
        var signed = RandomNumberGenerator.GetBytes(83);
        var signature = new byte[64];
        Sodium.SignXEdDsa(signer, 0, signed, 0, signed.Length, RandomNumberGenerator.GetBytes(64), 0, signature, 0);
        var aead = AeadAlgorithm.ChaCha20Poly1305;
        using var key = Key.Create(aead);
        var nonce = new byte[12];
        var aad = new byte[160];
        var body = aead.Encrypt(key, nonce, aad, new byte[96]);
        var ikm = new byte[160];
        var dh = new byte[32];
        var plain = new byte[96];
        var sk = new byte[32];

        for (var w = 0; w < 2; w++)
        {
            using var self = Process.GetCurrentProcess();
            var cpu0 = self.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                for (var d = 0; d < 4; d++)
                {
                    Sodium.TryDh(privateKeys[d], 0, peer, 0, dh, 0);
                    dh.CopyTo(ikm, 32 + d * 32);
                }

                HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, sk, new byte[32], "Ockam Enrollment v1 SK"u8.ToArray());
                var k1 = HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, "Ockam Enrollment v1 message key"u8.ToArray());
                _ = HKDF.Expand(HashAlgorithmName.SHA256, sk, 32, "Ockam Enrollment v1 result key"u8.ToArray());
                _ = SHA256.HashData(ikm);
                _ = k1;
                aead.Decrypt(key, nonce, aad, body, plain);
                _ = aead.Encrypt(key, nonce, aad, new byte[40]);
                if (!Sodium.VerifyXEdDsa(signerPublic, 0, signed, 0, signed.Length, signature, 0))
                {
                    throw new InvalidOperationException("floor: signature did not verify");
                }
            }

            if (w == 1)
            {
                var wall = sw.Elapsed.TotalMicroseconds / iterations;
                self.Refresh();
                return (wall, (self.TotalProcessorTime - cpu0).TotalMicroseconds / iterations);
            }
        }

        return (double.NaN, double.NaN);
    }
}
