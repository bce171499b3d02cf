using Enrollment.Protocol.Crypto;

namespace Enrollment.Benchmarks;

/// <summary>
/// Counts field operations for one enrollee-side X3DH enrollment (OP-0006): verify the service's signed
/// prekey signature (1 XEdDSA verify), generate 3 key pairs (3 X25519 base multiplications), 4 X25519
/// Diffie-Hellman computations, and 1 XEdDSA signature. Uses this assembly's counting copy of the crypto
/// sources (FIELD_OP_COUNT defined). The one-time table build is counted separately.
/// </summary>
internal static class FieldOpCount
{
    internal static void Print()
    {
        if (!FieldOpCounter.Enabled)
            throw new InvalidOperationException("built without FIELD_OP_COUNT");

        FieldOpCounter.Reset();
        _ = EdTables.Comb;
        Console.WriteLine($"{"one-time base-point tables",-34} {FieldOpCounter.Multiplications,6} mul {FieldOpCounter.Squarings,6} sq");
        var rng = new Random(1);
        byte[] Rand(int n) { var b = new byte[n]; rng.NextBytes(b); return b; }
        var ws = new Curve25519Workspace();
        byte[] identity = Rand(32), spkOwner = Rand(32), z = Rand(64), msg = Rand(33), o = new byte[32], sig = new byte[64];
        byte[] serviceIdentityPublic = new byte[32], peer = new byte[32];
        ws.ScalarMultBase(spkOwner, 0, serviceIdentityPublic, 0);
        ws.XEdDsaSign(spkOwner, 0, msg, 0, msg.Length, z, 0, sig, 0);   // the service's SPK signature
        ws.ScalarMultBase(Rand(32), 0, peer, 0);

        FieldOpCounter.Reset();
        _ = ws.XEdDsaVerify(serviceIdentityPublic, 0, new byte[1], 0, 1, sig, 0); // warm, builds nothing new
        FieldOpCounter.Reset();

        Row("XEdDSA verify (SPK signature)", () => { if (!ws.XEdDsaVerify(serviceIdentityPublic, 0, msg, 0, msg.Length, sig, 0)) throw new InvalidOperationException("verify"); });
        Row("X25519 key generation (base)", () => ws.ScalarMultBase(identity, 0, o, 0));
        Row("X25519 DH (ladder)", () => ws.ScalarMult(identity, 0, peer, 0, o, 0));
        Row("XEdDSA sign", () => ws.XEdDsaSign(identity, 0, msg, 0, msg.Length, z, 0, sig, 0));

        FieldOpCounter.Reset();
        if (!ws.XEdDsaVerify(serviceIdentityPublic, 0, msg, 0, msg.Length, sig, 0)) { }
        for (int i = 0; i < 3; i++) ws.ScalarMultBase(Rand(32), 0, o, 0);
        for (int i = 0; i < 4; i++) ws.ScalarMult(identity, 0, Rand(32), 0, o, 0);
        ws.XEdDsaSign(identity, 0, msg, 0, msg.Length, z, 0, sig, 0);
        long m = FieldOpCounter.Multiplications, s = FieldOpCounter.Squarings, small = FieldOpCounter.SmallMultiplications;
        Console.WriteLine();
        Console.WriteLine("One enrollee enrollment (1 verify + 3 keygen + 4 DH + 1 sign):");
        Console.WriteLine($"  {m} mul + {s} sq = {m + s} field mul/sq (+ {small} mul by small constant)");
    }

    private static void Row(string what, Action op)
    {
        FieldOpCounter.Reset();
        op();
        Console.WriteLine($"{what,-34} {FieldOpCounter.Multiplications,6} mul {FieldOpCounter.Squarings,6} sq {FieldOpCounter.SmallMultiplications,5} small");
    }
}
