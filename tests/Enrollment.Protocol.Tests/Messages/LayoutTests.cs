using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>
/// Golden layouts: bytes assembled by hand from the tables of docs/protocol.md, compared with the encoders,
/// so a change of any offset, width or order fails here even if encoder and decoder drift together.
/// </summary>
public class LayoutTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    private static byte[] Ascii(string s) => s.Select(c => (byte)c).ToArray();

    [Fact]
    public void Service_address_without_tls_follows_the_table()
    {
        var expected = Hex("00 075b 09").Concat(Ascii("127.0.0.1")).Concat(Hex("00"))
            .Concat(Hex("11")).Concat(Ascii("enroll/v1/request"))
            .Concat(Hex("11")).Concat(Ascii("enroll/v1/result/")).ToArray();
        Assert.Equal(expected, Samples.PlainAddress().Encode());
    }

    [Fact]
    public void Service_address_with_a_certificate_carries_a_two_byte_length()
    {
        var cert = Samples.Bytes(700, 9);
        var expected = Hex("01 22b3 10").Concat(Ascii("mqtt.example.org")).Concat(Hex("02 02bc")).Concat(cert)
            .Concat(Hex("11")).Concat(Ascii("enroll/v1/request"))
            .Concat(Hex("11")).Concat(Ascii("enroll/v1/result/")).ToArray();
        Assert.Equal(expected, Samples.CertificateAddress().Encode());
    }

    [Fact]
    public void Bundle_follows_the_table()
    {
        var address = Samples.HashAddress();
        var expected = Hex("01 01").Concat(Samples.Bytes(16, 1))
            .Concat(Hex("000000006b49d200"))            // 1_800_000_000
            .Concat(Samples.Bytes(32, 2))
            .Concat(Hex("00000007"))
            .Concat(Hex("00000000713fb300"))            // 1_900_000_000
            .Concat(Samples.Bytes(32, 3)).Concat(Samples.Bytes(64, 4))
            .Concat(Hex("a1b2c3d4")).Concat(Samples.Bytes(32, 5))
            .Concat(address.Encode()).ToArray();
        var bundle = Samples.Bundle(address);
        Assert.Equal(expected, bundle.Encode());
        Assert.Equal(EnrollmentBundle.FixedSize + address.EncodedLength, expected.Length);
    }

    [Fact]
    public void Spk_signing_input_is_label_id_key_expiry()
    {
        var expected = Ascii("OCKAM-ENROLL-SPK-v1").Concat(Hex("00000007")).Concat(Samples.Bytes(32, 3))
            .Concat(Hex("00000000713fb300")).ToArray();
        Assert.Equal(expected, EnrollmentBundle.BuildSpkSigningInput(7, Samples.Bytes(32, 3), 1_900_000_000));
        Assert.Equal(EnrollmentBundle.SpkSigningInputSize, expected.Length);
    }

    [Fact]
    public void Enrollment_message_follows_the_table()
    {
        var expected = Hex("02 01").Concat(Samples.Bytes(32, 11)).Concat(Samples.Bytes(32, 12))
            .Concat(Hex("00000007 a1b2c3d4")).Concat(Samples.Bytes(112, 13)).ToArray();
        Assert.Equal(expected, Samples.Message().Encode());
        Assert.Equal(186, expected.Length);
    }

    [Fact]
    public void Result_envelope_follows_the_table()
    {
        var expected = Hex("03 01").Concat(Samples.Bytes(32, 31)).Concat(Samples.Bytes(12, 32)).Concat(Samples.Bytes(21, 33)).ToArray();
        Assert.Equal(expected, Samples.Result(21).Encode());
    }

    [Fact]
    public void Accepted_outcome_follows_the_table()
    {
        var expected = Hex("00 08").Concat(Ascii("dev-0001")).Concat(Hex("10")).Concat(Ascii("dev/v1/dev-0001/"))
            .Concat(Hex("08")).Concat(Ascii("dev-0001")).Concat(Hex("0028")).Concat(Samples.Bytes(40, 21))
            .Concat(Hex("000186a0 00015180")).ToArray();
        Assert.Equal(expected, Samples.Accepted().Encode());
    }

    [Fact]
    public void Rejected_outcome_is_status_then_retry_after()
    {
        Assert.Equal(Hex("01 0000001e"), EnrollmentOutcome.Rejection(EnrollmentStatus.Busy, 30).Encode());
        Assert.Equal(Hex("02 00000000"), EnrollmentOutcome.Rejection(EnrollmentStatus.Expired, 0).Encode());
    }

    [Fact]
    public void Notice_follows_the_table()
    {
        var expected = Hex("04 01").Concat(Samples.Bytes(32, 41)).Concat(Hex("01 0000003c")).ToArray();
        Assert.Equal(expected, Samples.Notices()[0].Encode());
        Assert.Equal(EnrollmentNotice.Size, expected.Length);
    }

    [Fact]
    public void Peek_reads_type_and_version_without_judging()
    {
        Assert.True(MessageHeader.TryPeek(Hex("02 07 ff"), 0, 3, out var type, out var version));
        Assert.Equal(2, type);
        Assert.Equal(7, version);
        Assert.False(MessageHeader.TryPeek(Hex("02"), 0, 1, out _, out _));
    }
}
