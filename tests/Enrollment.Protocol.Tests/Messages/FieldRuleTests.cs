using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>Field rules of docs/protocol.md section 5, asserted on both the encoder (argument errors) and the decoder (format errors).</summary>
public class FieldRuleTests
{
    private static byte[] Ascii(string s) => s.Select(c => (byte)c).ToArray();

    /// <summary>Encodes an address by hand so that invalid field values can reach the decoder.</summary>
    private static byte[] RawAddress(byte flags, int port, byte[] host, byte caKind, byte[] ca, byte[] topic1, byte[] topic2)
    {
        var b = new List<byte> { flags, (byte)(port >> 8), (byte)port, (byte)host.Length };
        b.AddRange(host);
        b.Add(caKind);
        b.AddRange(ca);
        b.Add((byte)topic1.Length);
        b.AddRange(topic1);
        b.Add((byte)topic2.Length);
        b.AddRange(topic2);
        return b.ToArray();
    }

    private static bool DecodesAddress(byte[] raw) => ServiceAddress.TryDecode(raw, 0, raw.Length, out _);

    [Fact]
    public void The_hand_built_address_helper_matches_the_encoder()
    {
        var raw = RawAddress(0, 1883, Ascii("127.0.0.1"), 0, [], Ascii("enroll/v1/request"), Ascii("enroll/v1/result/"));
        Assert.Equal(Samples.PlainAddress().Encode(), raw);
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x80)]
    [InlineData(0x07)]
    public void Reserved_flag_bits_are_a_format_error(byte flags)
    {
        Assert.False(DecodesAddress(RawAddress(flags, 1883, Ascii("h"), 0, [], Ascii("a"), Ascii("b"))));
    }

    [Fact]
    public void Flag_bit_1_makes_the_request_topic_per_enrollee()
    {
        byte[] raw = RawAddress(0x02, 1883, Ascii("h"), 0, [], Ascii("enroll/v1/request"), Ascii("enroll/v1/result/"));
        Assert.True(ServiceAddress.TryDecode(raw, 0, raw.Length, out var a));
        Assert.True(a!.RequestTopicPerEnrollee);
        Assert.Equal("enroll/v1/request/abc", a.RequestTopicFor("abc"));
        Assert.Equal(raw, a.Encode());
        var shared = new ServiceAddress("h", 1883, false, CaKind.None, null, "enroll/v1/request", "enroll/v1/result/");
        Assert.False(shared.RequestTopicPerEnrollee);
        Assert.Equal("enroll/v1/request", shared.RequestTopicFor("abc"));
    }

    [Fact]
    public void Port_zero_is_rejected_both_ways()
    {
        Assert.False(DecodesAddress(RawAddress(0, 0, Ascii("h"), 0, [], Ascii("a"), Ascii("b"))));
        Assert.Throws<ArgumentOutOfRangeException>("port", () => new ServiceAddress("h", 0, false, CaKind.None, null, "a", "b"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_ca_without_tls_is_rejected_both_ways(byte kind)
    {
        var ca = kind == 1 ? new byte[32] : new byte[] { 0, 1, 0x30 };
        Assert.False(DecodesAddress(RawAddress(0, 1883, Ascii("h"), kind, ca, Ascii("a"), Ascii("b"))));
        Assert.True(DecodesAddress(RawAddress(1, 1883, Ascii("h"), kind, ca, Ascii("a"), Ascii("b"))));
        Assert.Throws<ArgumentException>("caKind", () => new ServiceAddress("h", 1, false, (CaKind)kind, kind == 1 ? new byte[32] : new byte[1], "a", "b"));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(255)]
    public void Unknown_ca_kinds_are_a_format_error(byte kind)
    {
        Assert.False(DecodesAddress(RawAddress(1, 1883, Ascii("h"), kind, [], Ascii("a"), Ascii("b"))));
    }

    [Fact]
    public void Certificate_length_must_be_1_to_2048()
    {
        Assert.False(DecodesAddress(RawAddress(1, 1883, Ascii("h"), 2, [0, 0], Ascii("a"), Ascii("b"))));
        var max = new byte[] { 0x08, 0x00 }.Concat(new byte[2048]).ToArray();
        Assert.True(DecodesAddress(RawAddress(1, 1883, Ascii("h"), 2, max, Ascii("a"), Ascii("b"))));
        var over = new byte[] { 0x08, 0x01 }.Concat(new byte[2049]).ToArray();
        Assert.False(DecodesAddress(RawAddress(1, 1883, Ascii("h"), 2, over, Ascii("a"), Ascii("b"))));
    }

    [Theory]
    [InlineData("a+b")]
    [InlineData("a/#")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("a\u0001")]
    [InlineData("caf\u00e9")]
    public void Topics_with_wildcards_spaces_controls_or_non_ascii_are_rejected_both_ways(string topic)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(topic);
        Assert.False(DecodesAddress(RawAddress(0, 1883, Ascii("h"), 0, [], bytes, Ascii("b"))));
        Assert.False(DecodesAddress(RawAddress(0, 1883, Ascii("h"), 0, [], Ascii("a"), bytes)));
        Assert.Throws<ArgumentException>("requestTopic", () => new ServiceAddress("h", 1, false, CaKind.None, null, topic, "b"));
    }

    [Fact]
    public void Host_must_be_1_to_253_printable_ascii()
    {
        Assert.True(DecodesAddress(RawAddress(0, 1, Ascii(new string('a', 253)), 0, [], Ascii("a"), Ascii("b"))));
        Assert.False(DecodesAddress(RawAddress(0, 1, Ascii(new string('a', 254)), 0, [], Ascii("a"), Ascii("b"))));
        Assert.False(DecodesAddress(RawAddress(0, 1, [], 0, [], Ascii("a"), Ascii("b"))));
        Assert.False(DecodesAddress(RawAddress(0, 1, Ascii("a b"), 0, [], Ascii("a"), Ascii("b"))));
        Assert.True(DecodesAddress(RawAddress(0, 1, Ascii("[::1]"), 0, [], Ascii("a"), Ascii("b"))));
    }

    [Fact]
    public void Bundle_times_at_or_above_2_pow_63_are_a_format_error()
    {
        var encoded = Samples.Bundle(Samples.PlainAddress()).Encode();
        var badExpiry = (byte[])encoded.Clone();
        badExpiry[18] = 0x80;
        Assert.False(EnrollmentBundle.TryDecode(badExpiry, 0, badExpiry.Length, out _));
        var badSpkExpiry = (byte[])encoded.Clone();
        badSpkExpiry[62] = 0x80;
        Assert.False(EnrollmentBundle.TryDecode(badSpkExpiry, 0, badSpkExpiry.Length, out _));
        badSpkExpiry[62] = 0x7F;
        Assert.True(EnrollmentBundle.TryDecode(badSpkExpiry, 0, badSpkExpiry.Length, out var ok));
        Assert.Equal(0x7F00_0000_713f_b300, ok.SignedPreKeyExpiresAt);
    }

    [Theory]
    [InlineData(EnrollmentStatus.Busy, 0u)]
    [InlineData(EnrollmentStatus.Busy, 86401u)]
    [InlineData(EnrollmentStatus.Expired, 1u)]
    [InlineData(EnrollmentStatus.Rejected, 5u)]
    [InlineData((EnrollmentStatus)7, 0u)]
    [InlineData(EnrollmentStatus.Accepted, 0u)]
    public void Invalid_rejections_are_refused_both_ways(EnrollmentStatus status, uint retryAfter)
    {
        var raw = new byte[] { (byte)status, (byte)(retryAfter >> 24), (byte)(retryAfter >> 16), (byte)(retryAfter >> 8), (byte)retryAfter };
        Assert.False(EnrollmentOutcome.TryDecode(raw, 0, raw.Length, out _));
        Assert.Throws<ArgumentException>("status", () => EnrollmentOutcome.Rejection(status, retryAfter));
    }

    [Theory]
    [InlineData(EnrollmentStatus.Expired)]
    [InlineData(EnrollmentStatus.Unknown)]
    [InlineData(EnrollmentStatus.Replayed)]
    [InlineData(EnrollmentStatus.Malformed)]
    [InlineData(EnrollmentStatus.Accepted)]
    public void A_notice_never_carries_a_precise_reason(EnrollmentStatus status)
    {
        var raw = new EnrollmentNotice(new byte[32], EnrollmentStatus.Rejected, 0).Encode();
        raw[34] = (byte)status;
        Assert.False(EnrollmentNotice.TryDecode(raw, 0, raw.Length, out _));
        Assert.Throws<ArgumentException>("status", () => new EnrollmentNotice(new byte[32], status, 0));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dev/1")]
    [InlineData("dev 1")]
    [InlineData("d\u00e9v")]
    public void Device_ids_outside_the_class_are_refused(string deviceId)
    {
        Assert.ThrowsAny<ArgumentException>(() => EnrollmentOutcome.Accepted(deviceId, "d/", [], [], 0, 0));
        var good = EnrollmentOutcome.Accepted("x", "d/", [], [], 0, 0).Encode();
        var bytes = System.Text.Encoding.UTF8.GetBytes(deviceId);
        var raw = new byte[] { 0, (byte)bytes.Length }.Concat(bytes).Concat(good.Skip(3)).ToArray();
        Assert.False(EnrollmentOutcome.TryDecode(raw, 0, raw.Length, out _));
    }

    [Fact]
    public void Broker_user_names_must_be_text_and_passwords_at_most_256_bytes()
    {
        Assert.Throws<ArgumentException>("brokerUsernameUtf8", () => EnrollmentOutcome.Accepted("x", "d/", [0xC0, 0x80], [], 0, 0));
        Assert.Throws<ArgumentException>("brokerPassword", () => EnrollmentOutcome.Accepted("x", "d/", [], new byte[257], 0, 0));
        var outcome = EnrollmentOutcome.Accepted("x", "d/", System.Text.Encoding.UTF8.GetBytes("José"), [1, 2], 3, 4);
        Assert.True(EnrollmentOutcome.TryDecode(outcome.Encode(), 0, outcome.EncodedLength, out var decoded));
        Assert.Equal("José", decoded.BrokerUsername);
        Assert.Equal(new byte[] { 1, 2 }, decoded.BrokerPassword);
        Assert.Equal(3u, decoded.RekeyAfterMessages);
        Assert.Equal(4u, decoded.RekeyAfterSeconds);
    }

    [Fact]
    public void Decoded_bundle_exposes_every_field()
    {
        var bundle = Samples.Bundle(Samples.CertificateAddress());
        var encoded = bundle.Encode();
        Assert.True(EnrollmentBundle.TryDecode(encoded, 0, encoded.Length, out var d));
        Assert.Equal(bundle.BundleId, d.BundleId);
        Assert.Equal(1_800_000_000, d.ExpiresAt);
        Assert.Equal(bundle.IdentityKey, d.IdentityKey);
        Assert.Equal(7u, d.SignedPreKeyId);
        Assert.Equal(1_900_000_000, d.SignedPreKeyExpiresAt);
        Assert.Equal(bundle.SignedPreKey, d.SignedPreKey);
        Assert.Equal(bundle.SignedPreKeySignature, d.SignedPreKeySignature);
        Assert.Equal(0xA1B2C3D4u, d.OneTimePreKeyId);
        Assert.Equal(bundle.OneTimePreKey, d.OneTimePreKey);
        Assert.Equal("mqtt.example.org", d.Address.Host);
        Assert.Equal(8883, d.Address.Port);
        Assert.True(d.Address.UseTls);
        Assert.Equal(CaKind.Certificate, d.Address.CaKind);
        Assert.Equal(Samples.Bytes(700, 9), d.Address.CaData);
        Assert.Equal("enroll/v1/request", d.Address.RequestTopic);
        Assert.Equal("enroll/v1/result/a0b1c2d3e4f5a6b7c8d9", d.Address.ResultTopicFor("a0b1c2d3e4f5a6b7c8d9"));
    }
}
