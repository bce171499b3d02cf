using Enrollment.Enrollee.Messages;
using Enrollment.Enrollee.State;

namespace Enrollment.Firmware.Tests;

/// <summary>
/// The serial messages and the device record: golden layouts, round trips, and the decoder contract
/// (every truncation, trailing byte or out-of-bound length is a format error; nothing else escapes).
/// </summary>
public class CodecTests
{
    private delegate bool Decoder(byte[] input, int offset, int count);

    private static IEnumerable<(string Name, byte[] Encoded, Decoder Decode)> Samples()
    {
        var hello = new HelloMessage { VersionCount = 2 };
        hello.Versions[0] = 1;
        hello.Versions[1] = 2;
        yield return ("hello", Encode(hello.Encode), new HelloMessage().TryDecode);

        var reply = new HelloReplyMessage { SelectedVersion = 1, VersionCount = 1, State = 1, Code = 2, EnrolleeIdLength = 32, FirmwareVersionLength = 5, PetNameLength = 3 };
        reply.Versions[0] = 1;
        "0.1.0"u8.ToArray().CopyTo(reply.FirmwareVersion, 0);
        "cat"u8.ToArray().CopyTo(reply.PetName, 0);
        yield return ("hello reply", Encode(reply.Encode), new HelloReplyMessage().TryDecode);

        var bundle = new BundleMessage { SsidLength = 4, PasswordLength = 8, PetNameLength = 0, BundleLength = 300, EnrollerTime = 1_764_000_000 };
        yield return ("bundle", Encode(bundle.Encode), new BundleMessage().TryDecode);

        var status = new StatusMessage { State = 4, Code = 11, Attempt = 2, WaitSeconds = 23, DeviceIdLength = 16 };
        yield return ("status", Encode(status.Encode), new StatusMessage().TryDecode);

        var reset = new FactoryResetMessage { EnrolleeIdLength = 32 };
        yield return ("factory reset", Encode(reset.Encode), new FactoryResetMessage().TryDecode);

        var error = new ErrorMessage { Code = ErrorCode.TooLarge, About = MessageType.Bundle };
        yield return ("error", Encode(error.Encode), new ErrorMessage().TryDecode);
    }

    private static byte[] Encode(Func<byte[], int, int> encode)
    {
        byte[] buffer = new byte[4096];
        int n = encode(buffer, 0);
        return buffer[..n];
    }

    [Fact]
    public void Every_message_round_trips_and_rejects_every_truncation_and_trailing_byte()
    {
        foreach (var (name, encoded, decode) in Samples())
        {
            Assert.True(decode(encoded, 0, encoded.Length), name);
            for (int n = 0; n < encoded.Length; n++)
            {
                Assert.False(decode(encoded, 0, n), name + " truncated to " + n);
            }

            byte[] longer = encoded.Concat(new byte[] { 0 }).ToArray();
            Assert.False(decode(longer, 0, longer.Length), name + " with a trailing byte");
        }
    }

    [Fact]
    public void Golden_layouts()
    {
        var status = new StatusMessage { State = 4, Code = 11, Attempt = 0x0102, WaitSeconds = 23, DeviceIdLength = 2 };
        status.DeviceId[0] = (byte)'d';
        status.DeviceId[1] = (byte)'7';
        Assert.Equal(new byte[] { 4, 11, 1, 2, 0, 23, 2, (byte)'d', (byte)'7' }, Encode(status.Encode));

        var hello = new HelloMessage { VersionCount = 1 };
        hello.Versions[0] = 1;
        Assert.Equal(new byte[] { 1, 1 }, Encode(hello.Encode));

        var bundle = new BundleMessage { SsidLength = 1, PasswordLength = 0, PetNameLength = 0, BundleLength = 1, EnrollerTime = 0x0102030405 };
        bundle.Ssid[0] = (byte)'n';
        bundle.Bundle[0] = 0xBB;
        Assert.Equal(new byte[] { 1, (byte)'n', 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 1, 0xBB }, Encode(bundle.Encode));
    }

    [Fact]
    public void Out_of_bound_lengths_are_format_errors()
    {
        Assert.False(new HelloMessage().TryDecode(new byte[] { 0 }, 0, 1)); // no versions
        Assert.False(new HelloMessage().TryDecode(new byte[] { 9, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 0, 10)); // over 8
        var ssid33 = new byte[] { 33 }.Concat(new byte[33]).Concat(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7 }).ToArray();
        Assert.False(new BundleMessage().TryDecode(ssid33, 0, ssid33.Length));
        var badPet = new byte[] { 1, (byte)'n', 0, 1, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7 }; // a control character
        Assert.False(new BundleMessage().TryDecode(badPet, 0, badPet.Length));
        var negativeTime = new byte[] { 1, (byte)'n', 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 7 };
        Assert.False(new BundleMessage().TryDecode(negativeTime, 0, negativeTime.Length));
        Assert.False(new ErrorMessage().TryDecode(new byte[] { 0, 0 }, 0, 2)); // code 0 is not an error
    }

    [Fact]
    public void Random_and_mutated_inputs_never_throw()
    {
        var random = new Random(11);
        var samples = Samples().ToList();
        for (int i = 0; i < 100_000; i++)
        {
            var (_, encoded, decode) = samples[i % samples.Count];
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 64)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])encoded.Clone();
                for (int k = random.Next(1, 4); k > 0 && input.Length > 0; k--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            int offset = random.Next(0, 3);
            byte[] shifted = new byte[offset].Concat(input).ToArray();
            decode(shifted, offset, input.Length); // must return, never throw
        }

        Assert.False(new StatusMessage().TryDecode(new byte[4], 2, 4)); // out of range: a format error too
    }

    [Theory]
    [InlineData(new byte[] { 0x31, 0x2E, 0x30 }, true)]            // "1.0"
    [InlineData(new byte[] { 0x31, 0x09, 0x7F, 0xC2, 0x85 }, true)] // controls (TAB, DEL, U+0085) are carried
    [InlineData(new byte[] { 0x76, 0xC3, 0xA9 }, true)]            // "vé"
    [InlineData(new byte[] { 0xC0, 0x80 }, false)]                 // overlong NUL (RFC 3629 section 3)
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)]           // surrogate
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, false)]     // above U+10FFFF
    [InlineData(new byte[] { 0xE2, 0x9C }, false)]                 // truncated
    public void Hello_reply_firmware_version_must_be_well_formed_utf8_and_may_hold_controls(byte[] version, bool accepted)
    {
        var reply = new HelloReplyMessage { SelectedVersion = 1, VersionCount = 1, State = 1, EnrolleeIdLength = 32, FirmwareVersionLength = version.Length };
        reply.Versions[0] = 1;
        version.CopyTo(reply.FirmwareVersion, 0);
        byte[] encoded = Encode(reply.Encode);
        var decoded = new HelloReplyMessage();
        Assert.Equal(accepted, decoded.TryDecode(encoded, 0, encoded.Length));
        if (accepted)
            Assert.Equal(version, decoded.FirmwareVersion[..decoded.FirmwareVersionLength]);
    }

    [Fact]
    public void The_device_record_round_trips_and_any_bit_flip_is_detected()
    {
        var record = new DeviceRecord { State = EnrolleeState.Enrolling, Code = StatusCode.AwaitingResult, Attempt = 3, BundleLength = 250, AttemptStateLength = 64, MessageLength = 186, BundleTime = 1_764_000_000 };
        new Random(2).NextBytes(record.EikPrivate);
        new Random(3).NextBytes(record.Bundle);
        byte[] buffer = new byte[DeviceRecord.MaxSize];
        int n = record.Encode(buffer);
        var loaded = new DeviceRecord();
        Assert.True(loaded.TryDecode(buffer, n));
        Assert.Equal(record.EikPrivate, loaded.EikPrivate);
        Assert.Equal(record.Bundle[..250], loaded.Bundle[..250]);
        Assert.Equal(3, loaded.Attempt);
        Assert.Equal(1_764_000_000, loaded.BundleTime);

        for (int bit = 0; bit < n * 8; bit += 7)
        {
            buffer[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(new DeviceRecord().TryDecode(buffer, n), "bit " + bit);
            buffer[bit / 8] ^= (byte)(1 << (bit % 8));
        }

        Assert.False(new DeviceRecord().TryDecode(buffer, n - 1));
    }
}
