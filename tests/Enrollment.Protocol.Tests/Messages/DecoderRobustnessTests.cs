using System.Diagnostics;

namespace Enrollment.Protocol.Tests.Messages;

/// <summary>
/// Property test run in CI (issue 3 "Robustness"): every decoder gets random inputs and mutations of valid
/// encodings. Asserted: nothing escapes (no exception of any kind), every call returns promptly, and whatever
/// decodes is canonical (its re-encoding is exactly the input). The seed is fixed so a failure reproduces;
/// tests/Enrollment.Protocol.Fuzz explores further with coverage guidance.
/// </summary>
public class DecoderRobustnessTests
{
    public const int InputsPerDecoder = 60_000;

    public static TheoryData<string> Names() => new(Codec.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Random_and_mutated_inputs_never_escape_and_decode_only_canonically(string name)
    {
        var codec = Codec.All.Single(c => c.Name == name);
        var samples = Codec.ValidSamples(codec);
        var rng = new Random(name.Sum(c => c) ^ 0x5eed); // string.GetHashCode is randomised per process
        var watch = Stopwatch.StartNew();
        var decoded = 0;
        var slowest = TimeSpan.Zero;
        for (var n = 0; n < InputsPerDecoder; n++)
        {
            var input = n % 4 == 0 ? RandomInput(rng, codec) : Mutator.Mutate(rng, samples[rng.Next(samples.Length)]);
            var start = watch.Elapsed;
            byte[]? output;
            try
            {
                output = codec.Decode(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"{name}: input {Convert.ToHexString(input)} threw {e}");
                return;
            }

            var took = watch.Elapsed - start;
            if (took > slowest)
                slowest = took;
            if (output != null)
            {
                decoded++;
                Assert.Equal(input, output);
            }
        }

        // The mutations must reach the decoders' accepting paths too, or the test proves little.
        Assert.True(decoded > InputsPerDecoder / 100, $"{name}: only {decoded} inputs decoded");
        // "Nothing hangs": a decoder stuck in a loop would blow this bound by orders of magnitude. The bound is
        // deliberately loose (the run takes about a second alone) because CI runs test projects in parallel
        // on two cores and a GC pause is not a hang; speed itself is measured by benchmarks, not here.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"{name}: took {watch.Elapsed}, slowest decode {slowest.TotalMilliseconds} ms");
    }

    private static byte[] RandomInput(Random rng, Codec codec)
    {
        var b = new byte[rng.Next(0, codec.MaxSize + 16)];
        rng.NextBytes(b);
        if (codec.HasHeader && b.Length >= 2 && rng.Next(2) == 0)
        {
            // Give half of them the right header so the fields behind it are exercised.
            b[0] = Codec.ValidSamples(codec)[0][0];
            b[1] = 1;
        }

        return b;
    }
}

/// <summary>Structure-blind mutations of a valid encoding, the same kinds a fuzzer applies.</summary>
public static class Mutator
{
    public static byte[] Mutate(Random rng, byte[] sample)
    {
        var b = new List<byte>(sample);
        var rounds = 1 + rng.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            var at = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(8))
            {
                case 0 when b.Count > 0:
                    b[at] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when b.Count > 0:
                    b[at] = (byte)rng.Next(256);
                    break;
                case 2 when b.Count > 0:
                    b[at] = Interesting[rng.Next(Interesting.Length)];
                    break;
                case 3:
                    b.Insert(at, (byte)rng.Next(256));
                    break;
                case 4 when b.Count > 0:
                    b.RemoveAt(at);
                    break;
                case 5:
                    b.RemoveRange(at, b.Count - at);
                    break;
                case 6:
                    b.AddRange(Enumerable.Repeat((byte)rng.Next(256), rng.Next(1, 64)));
                    break;
                default:
                    if (b.Count > 1)
                    {
                        var len = rng.Next(1, Math.Min(16, b.Count - at) + 1);
                        var from = rng.Next(b.Count - len + 1);
                        var chunk = b.GetRange(from, len);
                        b.InsertRange(at, chunk);
                    }

                    break;
            }
        }

        return b.ToArray();
    }

    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x7F, 0x80, 0xFE, 0xFF, 0x10, 0x20, 0x40];
}
