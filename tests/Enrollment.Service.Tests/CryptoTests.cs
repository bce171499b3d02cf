using System.Security.Cryptography;
using System.Text.Json;
using Enrollment.Service.Domain;
using Enrollment.Service.Host;
using Microsoft.Extensions.Logging.Abstractions;

namespace Enrollment.Service.Tests;

/// <summary>The service's libsodium XEdDSA (sign for SPK_A, verify for IK_B) and X25519.</summary>
public sealed class CryptoTests
{
    private static readonly BigIntegerP P = new();

    [Fact]
    public void XEdDsa_signing_reproduces_signals_known_answer()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "xeddsa", "signal_kats.json")));
        var v = doc.RootElement.GetProperty("vectors").EnumerateArray().First(e => e.GetProperty("id").GetString() == "libsignal-protocol-c/xeddsa_fast_test");
        var k = Convert.FromHexString(v.GetProperty("k_clamped").GetString()!);
        var msg = Convert.FromHexString(v.GetProperty("msg").GetString()!);
        var z = Convert.FromHexString(v.GetProperty("Z").GetString()!);
        var expected = Convert.FromHexString(v.GetProperty("sig").GetString()!);
        var sig = new byte[64];
        Sodium.SignXEdDsa(k, 0, msg, 0, msg.Length, z, 0, sig, 0);
        Assert.Equal(expected, sig);
        Assert.True(Sodium.VerifyXEdDsa(Sodium.PublicKey(k), 0, msg, 0, msg.Length, sig, 0));
    }

    [Fact]
    public void XEdDsa_round_trips_and_rejects_any_change()
    {
        for (var i = 0; i < 20; i++)
        {
            var k = RandomNumberGenerator.GetBytes(32);
            var pub = Sodium.PublicKey(k);
            var msg = RandomNumberGenerator.GetBytes(i * 7);
            var sig = new byte[64];
            Sodium.SignXEdDsa(k, 0, msg, 0, msg.Length, RandomNumberGenerator.GetBytes(64), 0, sig, 0);
            Assert.True(Sodium.VerifyXEdDsa(pub, 0, msg, 0, msg.Length, sig, 0));
            var bad = (byte[])sig.Clone();
            bad[i % 64] ^= 0x01;
            Assert.False(Sodium.VerifyXEdDsa(pub, 0, msg, 0, msg.Length, bad, 0));
            if (msg.Length > 0)
            {
                var other = (byte[])msg.Clone();
                other[0] ^= 0x80;
                Assert.False(Sodium.VerifyXEdDsa(pub, 0, other, 0, other.Length, sig, 0));
            }
        }
    }

    [Fact]
    public void XEdDsa_on_libsodium_agrees_with_the_shared_implementation()
    {
        for (var i = 0; i < 25; i++)
        {
            var k = RandomNumberGenerator.GetBytes(32);
            var msg = RandomNumberGenerator.GetBytes(1 + i * 5);
            var z = RandomNumberGenerator.GetBytes(64);
            var ours = new byte[64];
            Sodium.SignXEdDsa(k, 0, msg, 0, msg.Length, z, 0, ours, 0);
            Assert.Equal(Enrollment.Protocol.Crypto.XEdDsa.Sign(k, msg, z), ours); // deterministic given Z
            var pub = Sodium.PublicKey(k);
            Assert.Equal(Enrollment.Protocol.Crypto.X25519.ScalarMultBase(k), pub);
            Assert.True(Enrollment.Protocol.Crypto.XEdDsa.Verify(pub, msg, ours));
            var bad = (byte[])ours.Clone();
            bad[(i * 11) % 64] ^= 0x04;
            Assert.Equal(Enrollment.Protocol.Crypto.XEdDsa.Verify(pub, msg, bad), Sodium.VerifyXEdDsa(pub, 0, msg, 0, msg.Length, bad, 0));
        }
    }

    [Fact]
    public void XEdDsa_verify_rejects_u_at_or_above_p_and_s_at_or_above_2_pow_253()
    {
        var k = RandomNumberGenerator.GetBytes(32);
        var msg = RandomNumberGenerator.GetBytes(16);
        var sig = new byte[64];
        Sodium.SignXEdDsa(k, 0, msg, 0, msg.Length, RandomNumberGenerator.GetBytes(64), 0, sig, 0);
        var highS = (byte[])sig.Clone();
        highS[63] |= 0x20;
        Assert.False(Sodium.VerifyXEdDsa(Sodium.PublicKey(k), 0, msg, 0, msg.Length, highS, 0));
        Assert.False(Sodium.VerifyXEdDsa(P.Bytes, 0, msg, 0, msg.Length, sig, 0));
    }

    [Fact]
    public void X25519_agrees_and_flags_a_low_order_peer()
    {
        var a = RandomNumberGenerator.GetBytes(32);
        var b = RandomNumberGenerator.GetBytes(32);
        var ab = new byte[32];
        var ba = new byte[32];
        Assert.True(Sodium.TryDh(a, 0, Sodium.PublicKey(b), 0, ab, 0));
        Assert.True(Sodium.TryDh(b, 0, Sodium.PublicKey(a), 0, ba, 0));
        Assert.Equal(ab, ba);
        Assert.False(Sodium.TryDh(a, 0, new byte[32], 0, ab, 0));
    }

    [Fact]
    public void The_event_sink_is_the_log_by_default_and_event_hubs_when_configured()
    {
        Assert.IsType<LogEventSink>(EventSinkFactory.Create(new EventOptions(), NullLoggerFactory.Instance));
        // Azure is unreachable here: only the selection and the client's configuration are checked.
        var sink = EventSinkFactory.Create(new EventOptions
        {
            Sink = EventSinkKind.EventHubs,
            EventHubsConnectionString = "Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0",
            EventHubName = "enrollments",
        }, NullLoggerFactory.Instance);
        var hubs = Assert.IsType<EventHubsEventSink>(sink);
        Assert.Equal("enrollments", hubs.EventHubName);
    }

    /// <summary>p = 2^255 - 19 encoded little-endian (a u-coordinate that must be refused).</summary>
    private sealed class BigIntegerP
    {
        public byte[] Bytes { get; } = MakeP();

        private static byte[] MakeP()
        {
            var p = new byte[32];
            Array.Fill(p, (byte)0xFF);
            p[0] = 0xED;
            p[31] = 0x7F;
            return p;
        }
    }
}

/// <summary>The Montgomery-to-Edwards map the service's XEdDSA verification uses (shared field code) against BigInteger arithmetic.</summary>
public sealed class FieldTests
{
    private static readonly System.Numerics.BigInteger P = (System.Numerics.BigInteger.One << 255) - 19;

    private static byte[] Expected(System.Numerics.BigInteger u)
    {
        var y = (u - 1 + P) % P * System.Numerics.BigInteger.ModPow((u + 1) % P, P - 2, P) % P;
        var bytes = new byte[32];
        y.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }

    [Fact]
    public void Montgomery_to_Edwards_matches_bigint_arithmetic()
    {
        var cases = new List<System.Numerics.BigInteger> { 0, 1, 2, 9, P - 2, P - 3, (System.Numerics.BigInteger.One << 254) + 5, P - 20 };
        for (var i = 0; i < 500; i++)
        {
            var b = RandomNumberGenerator.GetBytes(32);
            b[31] &= 0x7F;
            cases.Add(new System.Numerics.BigInteger(b, isUnsigned: true) % P);
        }

        foreach (var u in cases)
        {
            var input = new byte[32];
            u.TryWriteBytes(input, out _, isUnsigned: true, isBigEndian: false);
            var y = new byte[32];
            Assert.True(Sodium.TryMontgomeryToEdwardsY(input, y));
            Assert.Equal(Expected(u), y);
        }

        var minusOne = new byte[32];
        (P - 1).TryWriteBytes(minusOne, out _, isUnsigned: true, isBigEndian: false);
        Assert.False(Sodium.TryMontgomeryToEdwardsY(minusOne, new byte[32]));
    }
}
