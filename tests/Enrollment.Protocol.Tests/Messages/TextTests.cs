using System.Text;
using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>The UTF-8 helpers (RFC 3629), the pet name rule and the enrollee id text form, against .NET's own UTF-8.</summary>
public class TextTests
{
    private static bool Valid(params byte[] b) => Utf8.IsValidText(b, 0, b.Length);

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x80 })]             // overlong NUL
    [InlineData(new byte[] { 0xC1, 0xBF })]             // overlong
    [InlineData(new byte[] { 0xE0, 0x80, 0x80 })]       // overlong 3-byte
    [InlineData(new byte[] { 0xF0, 0x80, 0x80, 0x80 })] // overlong 4-byte
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]       // U+D800 surrogate
    [InlineData(new byte[] { 0xED, 0xBF, 0xBF })]       // U+DFFF surrogate
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })] // U+110000
    [InlineData(new byte[] { 0xF5, 0x80, 0x80, 0x80 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0x80 })]                   // lone continuation
    [InlineData(new byte[] { 0xE2, 0x82 })]             // truncated
    [InlineData(new byte[] { 0x41, 0x00 })]             // NUL
    [InlineData(new byte[] { 0x09 })]                   // TAB
    [InlineData(new byte[] { 0x7F })]                   // DEL
    [InlineData(new byte[] { 0xC2, 0x85 })]             // U+0085 (C1 control)
    public void Ill_formed_or_control_sequences_are_not_text(byte[] bytes)
    {
        Assert.False(Valid(bytes));
        Assert.Throws<ArgumentException>("buffer", () => Utf8.GetString(bytes, 0, bytes.Length));
    }

    [Theory]
    [InlineData("Kitchen sensor")]
    [InlineData("Küche")]
    [InlineData("温度センサー")]
    [InlineData("🌡️ Greenhouse")]
    [InlineData("\u00a0\u07ff\u0800\uffff")]
    public void Text_round_trips_exactly_as_dotnet_encodes_it(string text)
    {
        var ours = Utf8.GetBytes(text);
        Assert.Equal(Encoding.UTF8.GetBytes(text), ours);
        Assert.True(Valid(ours));
        Assert.Equal(text, Utf8.GetString(ours, 0, ours.Length));
    }

    [Fact]
    public void Random_byte_strings_agree_with_dotnets_strict_decoder()
    {
        var strict = new UTF8Encoding(false, true);
        var rng = new Random(1234);
        for (var n = 0; n < 20000; n++)
        {
            var b = new byte[rng.Next(0, 8)];
            for (var i = 0; i < b.Length; i++)
                b[i] = (byte)(rng.Next(3) == 0 ? rng.Next(0x80) : rng.Next(0x80, 0x100));
            string? expected;
            try
            {
                expected = strict.GetString(b);
                if (expected.Any(c => c < 0x20 || (c >= 0x7F && c <= 0x9F)))
                    expected = null;
            }
            catch (DecoderFallbackException)
            {
                expected = null;
            }

            Assert.Equal(expected != null, Valid(b));
            if (expected != null)
                Assert.Equal(expected, Utf8.GetString(b, 0, b.Length));
        }
    }

    [Fact]
    public void With_allowControl_random_byte_strings_agree_with_dotnets_strict_decoder_controls_included()
    {
        var strict = new UTF8Encoding(false, true);
        var rng = new Random(4321);
        int controls = 0;
        for (var n = 0; n < 20000; n++)
        {
            var b = new byte[rng.Next(0, 8)];
            for (var i = 0; i < b.Length; i++)
                b[i] = (byte)(rng.Next(3) == 0 ? rng.Next(0x80) : rng.Next(0x80, 0x100));
            string? expected;
            try
            {
                expected = strict.GetString(b);
            }
            catch (DecoderFallbackException)
            {
                expected = null;
            }

            Assert.Equal(expected != null, Utf8.IsValidText(b, 0, b.Length, allowControl: true));
            if (expected == null)
            {
                Assert.Throws<ArgumentException>("buffer", () => Utf8.GetString(b, 0, b.Length, allowControl: true));
                continue;
            }

            Assert.Equal(expected, Utf8.GetString(b, 0, b.Length, allowControl: true));
            if (expected.Any(c => c < 0x20 || (c >= 0x7F && c <= 0x9F)))
            {
                controls++;
                Assert.False(Utf8.IsValidText(b, 0, b.Length)); // the strict form still refuses them
            }
        }

        Assert.True(controls > 400, $"only {controls} strings with control characters were drawn");
    }

    [Fact]
    public void Validation_reads_only_the_given_range_and_checks_it()
    {
        byte[] b = { 0xFF, 0x41, 0x0A, 0x42, 0xFF };           // invalid bytes outside [1, 4)
        Assert.True(Utf8.IsValidText(b, 1, 3, allowControl: true));
        Assert.Equal("A\nB", Utf8.GetString(b, 1, 3, allowControl: true));
        Assert.False(Utf8.IsValidText(b, 1, 3));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => Utf8.IsValidText(b, 1, 5, allowControl: true));
        Assert.Throws<ArgumentNullException>("buffer", () => Utf8.GetString(null!, 0, 0, allowControl: true));
    }

    [Fact]
    public void Hex_is_two_lowercase_digits_per_byte_of_the_range()
    {
        var b = new byte[] { 0x00, 0xFF, 0x10, 0xA5, 0x5A, 0x09 };
        Assert.Equal("00ff10a55a09", Hex.Encode(b, 0, b.Length));
        Assert.Equal("10a5", Hex.Encode(b, 2, 2));
        Assert.Equal("", Hex.Encode(b, 6, 0));
        var rng = new Random(16);
        var r = new byte[64];
        rng.NextBytes(r);
        Assert.Equal(Convert.ToHexString(r).ToLowerInvariant(), Hex.Encode(r, 0, r.Length));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => Hex.Encode(b, 5, 2));
        Assert.Throws<ArgumentNullException>("buffer", () => Hex.Encode(null!, 0, 0));
    }

    [Fact]
    public void Unpaired_surrogates_and_controls_cannot_be_encoded()
    {
        Assert.Throws<ArgumentException>("text", () => Utf8.GetBytes("a\ud800b"));
        Assert.Throws<ArgumentException>("text", () => Utf8.GetBytes("a\udc00"));
        Assert.Throws<ArgumentException>("text", () => Utf8.GetBytes("line\n"));
    }

    [Theory]
    [InlineData("Kitchen sensor", true)]
    [InlineData("", false)]
    [InlineData("tab\there", false)]
    [InlineData("ü", true)]
    public void Pet_names_are_1_to_64_bytes_of_text(string name, bool valid)
    {
        Assert.Equal(valid, PetName.IsValid(name));
    }

    [Fact]
    public void Pet_name_limit_counts_bytes_not_characters()
    {
        Assert.True(PetName.IsValid(new string('a', 64)));
        Assert.False(PetName.IsValid(new string('a', 65)));
        Assert.True(PetName.IsValid(new string('ü', 32)));   // 64 bytes
        Assert.False(PetName.IsValid(new string('ü', 33)));  // 66 bytes
        Assert.False(PetName.IsValid(null));
    }

    [Fact]
    public void Enrollee_id_text_is_lowercase_hex_of_the_first_ten_bytes()
    {
        var id = Convert.FromHexString("A0B1C2D3E4F5A6B7C8D9" + new string('F', 44));
        Assert.Equal("a0b1c2d3e4f5a6b7c8d9", EnrolleeId.ToText(id));
        Assert.True(EnrolleeId.TryParseText("a0b1c2d3e4f5a6b7c8d9", out var prefix));
        Assert.Equal(id.Take(10).ToArray(), prefix);
        Assert.False(EnrolleeId.TryParseText("A0B1C2D3E4F5A6B7C8D9", out _));
        Assert.False(EnrolleeId.TryParseText("a0b1c2d3e4f5a6b7c8d", out _));
        Assert.False(EnrolleeId.TryParseText("a0b1c2d3e4f5a6b7c8dg", out _));
        Assert.False(EnrolleeId.TryParseText(null, out _));
    }
}
