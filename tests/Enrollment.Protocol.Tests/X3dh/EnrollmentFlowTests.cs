using Enrollment.Protocol.Messages;
using Enrollment.Protocol.X3dh;

namespace Enrollment.Protocol.Tests.X3dh;

/// <summary>Full enrollments between the enrollee-side and service-side functions, and their rejection paths (issue 3 "Done when").</summary>
public class EnrollmentFlowTests
{
    private readonly Scenario _s = new("flow");

    [Fact]
    public void A_full_enrollment_agrees_on_identity_result_and_session_keys()
    {
        var attempt = _s.Enroll();
        Assert.Equal(EnrollmentMessage.Size, attempt.Message.Length);
        Assert.Equal(EnrolleeId.Compute(_s.EikBPublic), attempt.EnrolleeId);

        Assert.Equal(OpenStatus.Opened, _s.Open(attempt.Message, out var identity));
        Assert.Equal(attempt.IdentityPublicKey, identity!.IdentityKey);
        Assert.Equal(attempt.SharedSecret, identity.SharedSecret);

        var sealedResult = ServiceHandshake.SealResult(identity.SharedSecret, attempt.EphemeralPublicKey, Scenario.AcceptedOutcome(), _s.ResultNonce);
        var status = EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, sealedResult, 0, sealedResult.Length, out var outcome);
        Assert.Equal(ResultStatus.Opened, status);
        Assert.True(outcome!.IsAccepted);
        Assert.Equal("d-3f9a2c", outcome.DeviceId);
        Assert.Equal("dev/v1/d-3f9a2c/", outcome.DeviceTopicPrefix);
        Assert.Equal("broker-token-0123456789abcdef"u8.ToArray(), outcome.BrokerPassword);

        var deviceKeys = SessionKeys.Derive(attempt.SharedSecret);
        var serviceKeys = SessionKeys.Derive(identity.SharedSecret);
        Assert.Equal(deviceKeys.Up, serviceKeys.Up);
        Assert.Equal(deviceKeys.Down, serviceKeys.Down);
        Assert.NotEqual(deviceKeys.Up, deviceKeys.Down);
        Assert.NotEqual(attempt.SharedSecret, deviceKeys.Up);
    }

    [Fact]
    public void The_service_side_interoperates_with_libsodium_primitives()
    {
        var attempt = _s.Enroll();
        Assert.Equal(OpenStatus.Opened, _s.Open(attempt.Message, out var viaSodium, LibsodiumPrimitives.Instance));
        Assert.Equal(attempt.IdentityPublicKey, viaSodium!.IdentityKey);
        Assert.Equal(attempt.SharedSecret, viaSodium.SharedSecret);
    }

    [Fact]
    public void A_rejection_outcome_reaches_the_enrollee_intact()
    {
        var attempt = _s.Enroll();
        Assert.Equal(OpenStatus.Opened, _s.Open(attempt.Message, out var identity));
        var busy = ServiceHandshake.SealResult(identity!.SharedSecret, attempt.EphemeralPublicKey, EnrollmentOutcome.Rejection(EnrollmentStatus.Busy, 120), _s.ResultNonce);
        Assert.Equal(ResultStatus.Opened, EnrolleeHandshake.OpenResult(attempt.SharedSecret, attempt.EphemeralPublicKey, busy, 0, busy.Length, out var outcome));
        Assert.Equal(EnrollmentStatus.Busy, outcome!.Status);
        Assert.Equal(120u, outcome.RetryAfterSeconds);
    }

    [Fact]
    public void Two_attempts_with_fresh_ephemeral_keys_share_nothing_secret()
    {
        var first = _s.Enroll();
        var other = new Scenario("flow-2");
        var status = EnrolleeHandshake.CreateMessage(_s.Bundle, _s.EikBPrivate, other.EkBPrivate, _s.IkBPrivate, other.IkBSignatureRandom, Scenario.Now, null, out var second);
        Assert.Equal(EnrolleeStatus.Created, status);
        Assert.NotEqual(first.SharedSecret, second!.SharedSecret);
        Assert.NotEqual(first.Message.AsSpan(74).ToArray(), second.Message.AsSpan(74).ToArray());
        Assert.Equal(OpenStatus.Opened, _s.Open(second.Message, out _));
    }

    [Fact]
    public void Wrong_one_time_prekey_fails_decryption()
    {
        var attempt = _s.Enroll();
        Assert.Equal(OpenStatus.DecryptionFailed, _s.Open(attempt.Message, out var identity, opkPrivate: new Scenario("other").OpkAPrivate));
        Assert.Null(identity);
    }

    [Fact]
    public void A_different_service_address_fails_decryption()
    {
        var attempt = _s.Enroll();
        var elsewhere = new ServiceAddress("evil.example.com", 8883, true, CaKind.Sha256, _s.CaHash, "enroll/v1/request", "enroll/v1/result/").Encode();
        Assert.Equal(OpenStatus.DecryptionFailed, _s.Open(attempt.Message, out _, address: elsewhere));
    }

    // The per-bit loops below open ~1,500 messages; they test the AEAD and AAD binding of our flow code, so
    // they run it over libsodium's X25519 (the curve code has its own tests) to keep CI fast.
    [Fact]
    public void A_tampered_body_fails_decryption_for_every_bit()
    {
        var attempt = _s.Enroll();
        for (var bit = EnrollmentMessage.HeaderSize * 8; bit < EnrollmentMessage.Size * 8; bit++)
        {
            var tampered = (byte[])attempt.Message.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(OpenStatus.DecryptionFailed, _s.Open(tampered, out _, LibsodiumPrimitives.Instance));
        }
    }

    /// <summary>
    /// Header bits: a flip in the enrollee id is caught as an identity mismatch (the service looked the
    /// enrollee up by the untampered id); a flip in EK_B or the prekey ids changes the DH inputs or the AAD,
    /// so decryption fails (or, for an EK_B that lands on a low-order point, the DH check fires).
    /// Type and version flips are format errors.
    /// </summary>
    [Fact]
    public void A_tampered_header_is_rejected_for_every_bit()
    {
        var attempt = _s.Enroll();
        Assert.True(EnrollmentMessage.TryDecode(attempt.Message, 0, attempt.Message.Length, out _));
        for (var bit = 0; bit < EnrollmentMessage.HeaderSize * 8; bit++)
        {
            var tampered = (byte[])attempt.Message.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            var at = bit / 8;
            if (at < 2)
            {
                Assert.False(EnrollmentMessage.TryDecode(tampered, 0, tampered.Length, out _));
                continue;
            }

            var status = _s.Open(tampered, out var identity, LibsodiumPrimitives.Instance);
            Assert.Null(identity);
            if (at is >= 34 and < 66)
                Assert.Equal(OpenStatus.IdentityMismatch, status);
            else
                Assert.Contains(status, new[] { OpenStatus.DecryptionFailed, OpenStatus.InvalidKey });
        }
    }

    [Fact]
    public void Mutated_messages_never_escape_the_service_side_and_only_the_original_opens()
    {
        var attempt = _s.Enroll();
        var rng = new Random(99);
        for (var n = 0; n < 3000; n++)
        {
            var input = Enrollment.Protocol.Tests.Messages.Mutator.Mutate(rng, attempt.Message);
            if (!EnrollmentMessage.TryDecode(input, 0, input.Length, out var message))
                continue;
            var status = ServiceHandshake.Open(message, _s.IkAPrivate, _s.SpkAPrivate, _s.OpkAPrivate, _s.EikBPublic, _s.Address.Encode(), LibsodiumPrimitives.Instance, out var identity);
            if (input.AsSpan().SequenceEqual(attempt.Message))
                Assert.Equal(OpenStatus.Opened, status);
            else
                Assert.Null(identity);
        }
    }

    [Fact]
    public void A_bad_identity_signature_is_caught_after_decryption()
    {
        var attempt = _s.Enroll(primitives: new CorruptingSigner());
        Assert.Equal(OpenStatus.BadSignature, _s.Open(attempt.Message, out var identity));
        Assert.Null(identity);
    }

    [Fact]
    public void A_stored_enrollment_key_other_than_the_senders_is_an_identity_mismatch()
    {
        var attempt = _s.Enroll();
        Assert.True(EnrollmentMessage.TryDecode(attempt.Message, 0, attempt.Message.Length, out var message));
        var other = new Scenario("other");
        var status = ServiceHandshake.Open(message, _s.IkAPrivate, _s.SpkAPrivate, _s.OpkAPrivate, other.EikBPublic, _s.Address.Encode(), out _);
        Assert.Equal(OpenStatus.IdentityMismatch, status);
    }

    [Fact]
    public void A_low_order_ephemeral_key_is_rejected_by_the_zero_check()
    {
        var attempt = _s.Enroll();
        var tampered = (byte[])attempt.Message.Clone();
        Array.Clear(tampered, 2, 32);            // u = 0: every DH with it is all zero
        Assert.Equal(OpenStatus.InvalidKey, _s.Open(tampered, out _));
        tampered[2] = 1;                          // u = 1: order 1 as well
        Assert.Equal(OpenStatus.InvalidKey, _s.Open(tampered, out _));
    }

    [Fact]
    public void A_bad_signed_prekey_signature_stops_the_enrollee()
    {
        var badSignature = (byte[])_s.SpkSignature.Clone();
        badSignature[10] ^= 1;
        var bundle = Rebuild(spkSignature: badSignature);
        Assert.Equal(EnrolleeStatus.BadSignedPreKeySignature, Create(bundle, Scenario.Now, null, out var attempt));
        Assert.Null(attempt);

        var otherSpk = new Scenario("other").SpkAPublic;
        Assert.Equal(EnrolleeStatus.BadSignedPreKeySignature, Create(Rebuild(spk: otherSpk), Scenario.Now, null, out _));
        Assert.Equal(EnrolleeStatus.BadSignedPreKeySignature, Create(Rebuild(spkExpiresAt: Scenario.SpkExpiresAt + 1), Scenario.Now, null, out _));
    }

    [Fact]
    public void Expired_bundles_and_prekeys_stop_the_enrollee_at_the_exact_second()
    {
        Assert.Equal(EnrolleeStatus.Created, Create(_s.Bundle, Scenario.BundleExpiresAt - 1, null, out _));
        Assert.Equal(EnrolleeStatus.Expired, Create(_s.Bundle, Scenario.BundleExpiresAt, null, out _));
        var longBundle = Rebuild(expiresAt: Scenario.SpkExpiresAt + 100);
        Assert.Equal(EnrolleeStatus.Created, Create(longBundle, Scenario.SpkExpiresAt - 1, null, out _));
        Assert.Equal(EnrolleeStatus.Expired, Create(longBundle, Scenario.SpkExpiresAt, null, out _));
    }

    [Fact]
    public void A_pinned_service_key_rejects_a_substituted_bundle()
    {
        var impostor = new Scenario("impostor");
        Assert.Equal(EnrolleeStatus.UntrustedServiceKey, Create(impostor.Bundle, Scenario.Now, _s.IkAPublic, out _));
        Assert.Equal(EnrolleeStatus.Created, Create(_s.Bundle, Scenario.Now, _s.IkAPublic, out _));
        Assert.Equal(EnrolleeStatus.Created, Create(impostor.Bundle, Scenario.Now, null, out _));
    }

    [Fact]
    public void A_low_order_prekey_in_the_bundle_is_an_invalid_key()
    {
        // OPK_A = 0 is not covered by the SPK signature, so only the DH zero check can stop it.
        Assert.Equal(EnrolleeStatus.InvalidKey, Create(Rebuild(opk: new byte[32]), Scenario.Now, null, out var attempt));
        Assert.Null(attempt);
    }

    [Fact]
    public void Caller_mistakes_throw_argument_exceptions_naming_the_parameter()
    {
        Assert.Throws<ArgumentException>("ephemeralPrivateKey", () => EnrolleeHandshake.CreateMessage(_s.Bundle, _s.EikBPrivate, new byte[31], _s.IkBPrivate, _s.IkBSignatureRandom, Scenario.Now, null, out _));
        Assert.Throws<ArgumentException>("signatureRandom", () => EnrolleeHandshake.CreateMessage(_s.Bundle, _s.EikBPrivate, _s.EkBPrivate, _s.IkBPrivate, new byte[32], Scenario.Now, null, out _));
        Assert.Throws<ArgumentNullException>("bundle", () => EnrolleeHandshake.CreateMessage(null!, _s.EikBPrivate, _s.EkBPrivate, _s.IkBPrivate, _s.IkBSignatureRandom, Scenario.Now, null, out _));
        Assert.Throws<ArgumentException>("nonce", () => ServiceHandshake.SealResult(new byte[32], new byte[32], Scenario.AcceptedOutcome(), new byte[8]));
        Assert.Throws<ArgumentException>("sharedSecret", () => SessionKeys.Derive(new byte[16]));
    }

    [Fact]
    public void Session_nonces_are_four_zero_bytes_then_the_big_endian_counter()
    {
        var nonce = new byte[14];
        SessionKeys.WriteNonce(0x0102030405060708, nonce, 1);
        Assert.Equal(Convert.FromHexString("00" + "00000000" + "0102030405060708" + "00"), nonce);
    }

    private EnrolleeStatus Create(EnrollmentBundle bundle, long now, byte[]? pinned, out EnrollmentAttempt? attempt) =>
        EnrolleeHandshake.CreateMessage(bundle, _s.EikBPrivate, _s.EkBPrivate, _s.IkBPrivate, _s.IkBSignatureRandom, now, pinned, out attempt);

    private EnrollmentBundle Rebuild(byte[]? spk = null, byte[]? spkSignature = null, long? spkExpiresAt = null, byte[]? opk = null, long? expiresAt = null)
    {
        var b = _s.Bundle;
        return new EnrollmentBundle(b.BundleId, expiresAt ?? b.ExpiresAt, b.IdentityKey, b.SignedPreKeyId, spkExpiresAt ?? b.SignedPreKeyExpiresAt,
            spk ?? b.SignedPreKey, spkSignature ?? b.SignedPreKeySignature, b.OneTimePreKeyId, opk ?? b.OneTimePreKey, b.Address);
    }

    /// <summary>Our primitives, except that signatures come out with one bit flipped (an enrollee bug).</summary>
    private sealed class CorruptingSigner : IX3dhPrimitives
    {
        private readonly IX3dhPrimitives _inner = DefaultX3dhPrimitives.Instance;

        public void Dh(byte[] k, int ko, byte[] u, int uo, byte[] o, int oo) => _inner.Dh(k, ko, u, uo, o, oo);

        public void PublicKey(byte[] k, int ko, byte[] o, int oo) => _inner.PublicKey(k, ko, o, oo);

        public void Sign(byte[] k, int ko, byte[] m, int mo, int ml, byte[] z, int zo, byte[] s, int so)
        {
            _inner.Sign(k, ko, m, mo, ml, z, zo, s, so);
            s[so + 5] ^= 0x10;
        }

        public bool Verify(byte[] u, int uo, byte[] m, int mo, int ml, byte[] s, int so) => _inner.Verify(u, uo, m, mo, ml, s, so);
    }
}
