using Enrollment.Protocol.Messages;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>
/// The contract every codec keeps (STYLE.md item 5), run over every message type:
/// round trip; canonical (decode then encode gives the same bytes); every single-bit flip is either a format
/// error or decodes to a different value (whose encoding is exactly the flipped bytes, so no two encodings
/// share a value; the AEAD-protected parts are covered by the X3DH tests, where a flip fails authentication);
/// every truncation and every extension is rejected; unknown versions and other types are rejected.
/// </summary>
public class CodecContractTests
{
    public static TheoryData<string> Names() => new(Codec.All.Select(c => c.Name));

    private static Codec Get(string name) => Codec.All.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Valid_samples_round_trip_to_the_same_bytes(string name)
    {
        var codec = Get(name);
        foreach (var sample in Codec.ValidSamples(codec))
            Assert.Equal(sample, codec.Decode(sample));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_largest_sample_is_exactly_the_stated_maximum(string name)
    {
        var codec = Get(name);
        Assert.Equal(codec.MaxSize, Codec.ValidSamples(codec).Max(s => s.Length));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoding_inside_a_larger_buffer_honours_offset_and_count(string name)
    {
        var codec = Get(name);
        foreach (var sample in Codec.ValidSamples(codec))
        {
            var buffer = new byte[sample.Length + 10];
            buffer.AsSpan().Fill(0xEE);
            sample.CopyTo(buffer, 7);
            Assert.Equal(sample, codec.Decode(buffer, 7, sample.Length));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_single_bit_flip_is_rejected_or_decodes_to_a_different_canonical_value(string name)
    {
        var codec = Get(name);
        foreach (var sample in Codec.ValidSamples(codec))
        {
            for (var bit = 0; bit < sample.Length * 8; bit++)
            {
                var flipped = (byte[])sample.Clone();
                flipped[bit / 8] ^= (byte)(1 << (bit % 8));
                var decoded = codec.Decode(flipped);
                if (decoded != null)
                    Assert.Equal(flipped, decoded);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_truncation_is_rejected(string name)
    {
        var codec = Get(name);
        foreach (var sample in Codec.ValidSamples(codec))
        {
            for (var length = 0; length < sample.Length; length++)
            {
                // A truncated message must never decode; for the result envelope a shorter ciphertext is a
                // different envelope, so only lengths below its minimum are format errors (its tag then fails).
                if (codec == Codec.Result && length >= EnrollmentResult.MinSize)
                    continue;
                Assert.Null(codec.Decode(sample, 0, length));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_trailing_byte_is_rejected(string name)
    {
        var codec = Get(name);
        foreach (var sample in Codec.ValidSamples(codec))
        {
            if (codec == Codec.Result && sample.Length < codec.MaxSize)
                continue; // a longer ciphertext is another envelope; the tag catches it (X3dh tests)
            var extended = sample.Concat(new byte[] { 0 }).ToArray();
            Assert.Null(codec.Decode(extended));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Oversize_input_is_rejected(string name)
    {
        var codec = Get(name);
        var big = new byte[codec.MaxSize + 1];
        var sample = Codec.ValidSamples(codec)[0];
        sample.CopyTo(big, 0);
        Assert.Null(codec.Decode(big));
        Assert.Null(codec.Decode(new byte[100_000]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_other_version_is_rejected(string name)
    {
        var codec = Get(name);
        if (!codec.HasHeader)
            return;
        foreach (var sample in Codec.ValidSamples(codec))
        {
            for (var version = 0; version < 256; version++)
            {
                if (version == ProtocolConstants.Version)
                    continue;
                var other = (byte[])sample.Clone();
                other[1] = (byte)version;
                Assert.Null(codec.Decode(other));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_other_type_is_rejected(string name)
    {
        var codec = Get(name);
        if (!codec.HasHeader)
            return;
        var sample = Codec.ValidSamples(codec)[0];
        for (var type = 0; type < 256; type++)
        {
            if (type == sample[0])
                continue;
            var other = (byte[])sample.Clone();
            other[0] = (byte)type;
            Assert.Null(codec.Decode(other));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Caller_mistakes_throw_argument_exceptions_naming_the_parameter(string name)
    {
        var codec = Get(name);
        Assert.Equal("buffer", Assert.Throws<ArgumentNullException>(() => codec.Decode(null!, 0, 0)).ParamName);
        Assert.Equal("offset", Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(new byte[4], 5, 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(new byte[4], 1, 4)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => codec.Decode(new byte[4], 0, -1)).ParamName);
    }
}
