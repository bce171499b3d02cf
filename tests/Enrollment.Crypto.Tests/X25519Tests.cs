using Enrollment.Protocol.Crypto;
using Xunit.Abstractions;
using static Enrollment.Crypto.Tests.Curve.CurveTestSupport;

namespace Enrollment.Crypto.Tests.Curve;

/// <summary>X25519 (RFC 7748): known answers, Wycheproof, libsodium differential, allocations.</summary>
public sealed class X25519Tests(ITestOutputHelper output)
{
    [Theory]
    // RFC 7748 s5.2, the two single-call test vectors.
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    public void Rfc7748_5_2_vectors(string scalar, string u, string expected)
    {
        Assert.Equal(expected, ToHex(X25519.ScalarMult(Hex(scalar), Hex(u))));
    }

    [Theory]
    // RFC 7748 s5.2, iterated: k = u = 9, then (k, u) = (X25519(k, u), k).
    [InlineData(1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")]
    [InlineData(1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")]
    public void Rfc7748_5_2_iterated(int iterations, string expected)
    {
        // The 1,000,000-iteration vector is left out: about 200 s in Release (~0.2 ms per call), too slow for CI.
        var ws = new Curve25519Workspace();
        byte[] k = Hex("0900000000000000000000000000000000000000000000000000000000000000");
        byte[] u = (byte[])k.Clone();
        byte[] r = new byte[32];
        for (int i = 0; i < iterations; i++)
        {
            ws.ScalarMult(k, 0, u, 0, r, 0);
            Array.Copy(k, u, 32);
            Array.Copy(r, k, 32);
        }

        Assert.Equal(expected, ToHex(k));
    }

    [Fact]
    public void Rfc7748_6_1_diffie_hellman()
    {
        byte[] alicePriv = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPriv = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePub = X25519.ScalarMultBase(alicePriv);
        byte[] bobPub = X25519.ScalarMultBase(bobPriv);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", ToHex(alicePub));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", ToHex(bobPub));
        const string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        Assert.Equal(shared, ToHex(X25519.ScalarMult(alicePriv, bobPub)));
        Assert.Equal(shared, ToHex(X25519.ScalarMult(bobPriv, alicePub)));
    }

    [Fact]
    public void Signal_test_agreement()
    {
        using var doc = LoadVectors("xeddsa/signal_kats.json");
        var v = doc.RootElement.GetProperty("vectors").EnumerateArray()
            .Single(e => e.GetProperty("id").GetString() == "libsignal/test_agreement");
        string S(string name) => v.GetProperty(name).GetString()!;
        Assert.Equal(S("alice_public"), ToHex(X25519.ScalarMultBase(Hex(S("alice_private")))));
        Assert.Equal(S("bob_public"), ToHex(X25519.ScalarMultBase(Hex(S("bob_private")))));
        Assert.Equal(S("shared"), ToHex(X25519.ScalarMult(Hex(S("alice_private")), Hex(S("bob_public")))));
        Assert.Equal(S("shared"), ToHex(X25519.ScalarMult(Hex(S("bob_private")), Hex(S("alice_public")))));
    }

    /// <summary>
    /// Every case of Wycheproof x25519_test.json. The file has no "invalid" case: "valid" and
    /// "acceptable" (twist points, non-canonical u, low-order u) all have a defined RFC 7748 result, which
    /// the raw function must produce; rejecting the all-zero result is the caller's job, so the test also
    /// checks that exactly the ZeroSharedSecret cases give all zeros.
    /// </summary>
    [Fact]
    public void Wycheproof_x25519_every_case()
    {
        using var doc = LoadVectors("wycheproof/x25519_test.json");
        int valid = 0, acceptable = 0, invalid = 0, zero = 0;
        var ws = new Curve25519Workspace();
        var shared = new byte[32];
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            Assert.Equal("curve25519", group.GetProperty("curve").GetString());
            foreach (var t in group.GetProperty("tests").EnumerateArray())
            {
                int id = t.GetProperty("tcId").GetInt32();
                string result = t.GetProperty("result").GetString()!;
                var flags = t.GetProperty("flags").EnumerateArray().Select(f => f.GetString()).ToList();
                ws.ScalarMult(Hex(t.GetProperty("private").GetString()!), 0, Hex(t.GetProperty("public").GetString()!), 0, shared, 0);
                bool isZero = shared.All(b => b == 0);
                Assert.True(flags.Contains("ZeroSharedSecret") == isZero, $"tcId {id}: zero output {isZero}");
                if (isZero) zero++;
                switch (result)
                {
                    case "valid":
                        valid++;
                        Assert.Equal(t.GetProperty("shared").GetString(), ToHex(shared));
                        break;
                    case "acceptable":
                        acceptable++;
                        Assert.Equal(t.GetProperty("shared").GetString(), ToHex(shared));
                        break;
                    default:
                        invalid++;
                        Assert.Fail($"tcId {id}: unexpected result {result}");
                        break;
                }
            }
        }

        output.WriteLine($"wycheproof x25519: {valid} valid, {acceptable} acceptable, {invalid} invalid, {zero} all-zero outputs");
        Assert.Equal(518, valid + acceptable + invalid);
        Assert.Equal(264, valid);
        Assert.Equal(254, acceptable);
        Assert.Equal(0, invalid);
    }

    /// <summary>Thousands of random X25519 computations against libsodium's crypto_scalarmult_curve25519.</summary>
    [Fact]
    public void Differential_vs_libsodium_random_scalars_and_u()
    {
        Sodium.Init();
        const int seed = 7748;
        var rng = Rng(seed);
        var ws = new Curve25519Workspace();
        var ours = new byte[32];
        var theirs = new byte[32];
        int compared = 0, lowOrder = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] k = RandomBytes(rng, 32);
            byte[] u = RandomBytes(rng, 32);
            switch (i % 4)
            {
                case 1: u[31] |= 0x80; break;                    // top bit set: must be masked
                case 2: u = NonCanonical(rng); break;             // p <= u < 2^255 (and with top bit)
                default: break;
            }

            ws.ScalarMult(k, 0, u, 0, ours, 0);
            int rc = Sodium.crypto_scalarmult_curve25519(theirs, k, u);
            if (rc != 0)
            {
                // libsodium refuses low-order u (all-zero result); ours returns that zero.
                Assert.True(ours.All(b => b == 0), $"seed {seed} i {i}");
                lowOrder++;
                continue;
            }

            Assert.True(ours.AsSpan().SequenceEqual(theirs), $"seed {seed} i {i}: k {ToHex(k)} u {ToHex(u)}");
            compared++;
        }

        output.WriteLine($"x25519 vs libsodium: {compared} equal, {lowOrder} low-order (both zero/refused)");
        Assert.True(compared > 2900);
    }

    [Fact]
    public void Base_edwards_route_and_ladder_match_libsodium_on_random_scalars()
    {
        Sodium.Init();
        var rng = Rng(9);
        var ws = new Curve25519Workspace();
        var ours = new byte[32];
        var theirs = new byte[32];
        for (int i = 0; i < 1000; i++)
        {
            byte[] k = RandomBytes(rng, 32);
            ws.ScalarMultBase(k, 0, ours, 0);
            Assert.Equal(0, Sodium.crypto_scalarmult_curve25519_base(theirs, k));
            Assert.Equal(ToHex(theirs), ToHex(ours));
            ws.ScalarMultBaseLadder(k, 0, ours, 0);         // the ladder with u = 9 agrees too
            Assert.Equal(ToHex(theirs), ToHex(ours));
        }
    }

    [Fact]
    public void Static_offset_forms_write_at_the_offset_and_match_the_array_forms()
    {
        var rng = Rng(1);
        byte[] k = RandomBytes(rng, 32), u = RandomBytes(rng, 32);
        byte[] kb = new byte[40], ub = new byte[50], ob = new byte[70];
        Array.Copy(k, 0, kb, 5, 32);
        Array.Copy(u, 0, ub, 17, 32);
        X25519.ScalarMult(kb, 5, ub, 17, ob, 33);
        Assert.Equal(ToHex(X25519.ScalarMult(k, u)), ToHex(ob[33..65]));
        Assert.True(ob[..33].All(b => b == 0) && ob[65..].All(b => b == 0));
        X25519.ScalarMultBase(kb, 5, ob, 1);
        Assert.Equal(ToHex(X25519.ScalarMultBase(k)), ToHex(ob[1..33]));
    }

    [Fact]
    public void Bad_arguments_throw_naming_the_parameter()
    {
        var ok = new byte[32];
        Assert.Equal("scalar32", Assert.Throws<ArgumentNullException>(() => X25519.ScalarMult(null!, ok)).ParamName);
        Assert.Equal("u32", Assert.Throws<ArgumentException>(() => X25519.ScalarMult(ok, new byte[31])).ParamName);
        Assert.Equal("scalar32", Assert.Throws<ArgumentException>(() => X25519.ScalarMultBase(new byte[33])).ParamName);
        Assert.Equal("output", Assert.Throws<ArgumentOutOfRangeException>(() => X25519.ScalarMult(ok, 0, ok, 0, ok, 1)).ParamName);
        Assert.Equal("scalar", Assert.Throws<ArgumentOutOfRangeException>(() => X25519.ScalarMultBase(ok, -1, ok, 0)).ParamName);
    }

    [Fact]
    public void Instance_forms_allocate_nothing_after_warm_up()
    {
        var ws = new Curve25519Workspace();
        var rng = Rng(2);
        byte[] k = RandomBytes(rng, 32), u = RandomBytes(rng, 32), o = new byte[32];
        ws.ScalarMult(k, 0, u, 0, o, 0);
        ws.ScalarMultBase(k, 0, o, 0);
        X25519.ScalarMult(k, 0, u, 0, o, 0);
        X25519.ScalarMultBase(k, 0, o, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ws.ScalarMult(k, 0, u, 0, o, 0);
        ws.ScalarMultBase(k, 0, o, 0);
        X25519.ScalarMult(k, 0, u, 0, o, 0);
        X25519.ScalarMultBase(k, 0, o, 0);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
    }

    /// <summary>A u in [p, 2^255) (p + 0..18), sometimes with bit 255 set as well.</summary>
    private static byte[] NonCanonical(Random rng)
    {
        byte[] u = Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"); // p
        u[0] = (byte)(0xed + rng.Next(19));
        if (rng.Next(2) == 1) u[31] |= 0x80;
        return u;
    }
}
