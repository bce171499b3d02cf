using Enrollment.Protocol.Fuzz;
using SharpFuzz;

// Usage: Enrollment.Protocol.Fuzz <target> [libfuzzer | afl | run <file>...]
//   target: one of Targets.Names (one per decoder). Mode defaults to libfuzzer. "run" feeds files once
//   (to replay a crash or a corpus without a fuzzer). README.md says how to drive it with libFuzzer or AFL.
if (args.Length < 1 || !Targets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine("usage: Enrollment.Protocol.Fuzz <" + string.Join("|", Targets.Names) + "> [libfuzzer | afl | run <file>... | seed <dir>]");
    return 2;
}

var mode = args.Length > 1 ? args[1] : "libfuzzer";
switch (mode)
{
    case "libfuzzer":
        Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
        return 0;
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target(copy.ToArray());
        });
        return 0;
    case "run":
        foreach (var file in args.Skip(2))
        {
            target(File.ReadAllBytes(file));
            Console.WriteLine("ok " + file);
        }

        return 0;
    case "seed":
        // Writes the genuine message and result of the open-* targets as corpus seeds into the given directory.
        Directory.CreateDirectory(args[2]);
        File.WriteAllBytes(Path.Combine(args[2], "message.bin"), CryptoTargets.GenuineMessage);
        File.WriteAllBytes(Path.Combine(args[2], "result.bin"), CryptoTargets.GenuineResult);
        return 0;
    default:
        Console.Error.WriteLine("unknown mode " + mode);
        return 2;
}
