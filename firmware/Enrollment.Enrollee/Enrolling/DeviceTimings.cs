namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// Every device timeout, derived in one place from the measured cost of an enrollment on the ESP32.
    /// </summary>
    /// <remarks>
    /// Work, counted (not guessed): `dotnet run -c Release --project tests/Enrollment.Benchmarks -- --count`
    /// counts field multiplications and squarings in this project's Curve25519 code:
    /// <code>
    ///   XEdDSA verify (the bundle's SPK signature)    1503 mul + 1519 sq = 3022
    ///   X25519 public key (fixed-base comb)             655 mul +  494 sq = 1149
    ///   X25519 Diffie-Hellman (Montgomery ladder)      1287 mul + 1274 sq = 2561
    ///   XEdDSA sign                                    1312 mul +  988 sq = 2300
    ///   one attempt: 1 verify + 3 public keys (EIK_B, EK_B, IK_B) + 4 DH (DH1..DH4) + 1 sign
    ///                                                 9924 mul + 9077 sq = 19001
    ///   base-point tables, built once per boot at first use              = 3191
    /// </code>
    /// Time per field operation, measured (2026-11-28) under the real nanoFramework interpreter: nf-interpreter
    /// main, targets/posix, Release, on the x86-64 development host (AMD EPYC, 2 cores), running the device
    /// self-test's .pe files (firmware/README.md says how). The enrollee side of one enrollment (bundle decode
    /// and SPK verify, then the message: the 19001 operations above plus hashing, AEAD and encoding) took
    /// 57-61 ms over nine runs (process CPU time: the host was shared); with 58 ms that is 3.05 us per field
    /// operation, all bookkeeping included. The bare field multiplication took 2.4 us, a squaring 1.7 us,
    /// a Montgomery ladder 7.2 ms.
    /// A 240 MHz ESP32 runs the same interpreter about 100x slower than this host on this kind of code
    /// (published ESP32/host ratios span 45x-750x depending on the code; for X25519-like long arithmetic,
    /// where 64-bit multiplies are library calls on the 32-bit Xtensa, about 45x-170x). Per field operation:
    /// 3.05 us x 100 = 305 us expected, 3.05 us x 170 = 518 us worst. The host figure is measured; the
    /// ESP32 factor is not: the self-test prints the real per-operation times on a board.
    ///
    /// One attempt: 19001 x 305 us = 5.8 s expected; worst, with the tables still to build:
    /// (19001 + 3191) x 518 us = 11.5 s, so 12 s. The bundle check when a bundle arrives (tables + one
    /// verify, 6213 operations) takes 1.9 s expected, 3.2 s worst. The device's single loop cannot serve the
    /// serial link meanwhile, so it announces the worst case (Status wait seconds) before computing.
    /// (Before the measurement these were derived from a borrowed 13.5 ms host X25519: 9.7 s and 20 s.)
    /// </remarks>
    public static class DeviceTimings
    {
        /// <summary>Field operations of one attempt (counted; see the remarks).</summary>
        public const int FieldOpsPerAttempt = 19001;

        /// <summary>Field operations of the one-time base-point tables (counted).</summary>
        public const int FieldOpsTables = 3191;

        /// <summary>Field operations of the bundle check (one XEdDSA verify, counted).</summary>
        public const int FieldOpsBundleCheck = 3022;

        /// <summary>Measured: nanoCLR on the development host, enrollee side of one enrollment / 19001 (remarks).</summary>
        public const int HostFieldOpNanoseconds = 3050;

        /// <summary>ESP32 (240 MHz) over the host under the same interpreter: expected and worst (remarks).</summary>
        public const int Esp32SlowdownExpected = 100;

        public const int Esp32SlowdownWorst = 170;

        public const int FieldOpMicrosecondsEstimate = HostFieldOpNanoseconds * Esp32SlowdownExpected / 1000; // 305
        public const int FieldOpMicrosecondsWorst = HostFieldOpNanoseconds * Esp32SlowdownWorst / 1000;       // 518

        public const int ComputeEstimateMilliseconds = FieldOpsPerAttempt * FieldOpMicrosecondsEstimate / 1000; // 5 795
        public const int ComputeWorstMilliseconds =
            (FieldOpsPerAttempt + FieldOpsTables) * FieldOpMicrosecondsWorst / 1000;                          // 11 495
        public const int ComputeWorstSeconds = (ComputeWorstMilliseconds + 999) / 1000;                       // 12

        /// <summary>Worst time to answer a Bundle (tables + SPK signature check): 3.2 s, so 4 s.</summary>
        public const int BundleCheckWorstSeconds =
            (((FieldOpsTables + FieldOpsBundleCheck) * FieldOpMicrosecondsWorst / 1000) + 999) / 1000;

        /// <summary>Main loop period: a 128-byte frame takes 12.5 ms at 115200 baud, so 20 ms keeps up with
        /// back-to-back fragments without spinning.</summary>
        public const int PollIntervalMilliseconds = 20;

        /// <summary>
        /// Acknowledgement timeout on the link: frame (12.5 ms) + ack (1 ms) on the wire + up to one poll
        /// period on each side (2 x 20 ms), times about four for scheduling jitter = 250 ms.
        /// </summary>
        public const int AckTimeoutMilliseconds = 250;

        /// <summary>Joining Wi-Fi with DHCP takes 2-5 s on an ESP32; four times the slow case.</summary>
        public const int WifiConnectTimeoutMilliseconds = 20000;

        /// <summary>
        /// How long to wait for the service's result once the message is out. The service's own checks take
        /// milliseconds (libsodium on a server), so this covers broker round trips and a service busy with
        /// other enrollees; it is deliberately more than one device computation (12 s worst, with a wide margin
        /// for a board slower than estimated), so a device never starts a new 6-12 s computation while the answer to the previous one is still on its way.
        /// </summary>
        public const int ResultTimeoutMilliseconds = 30000;

        /// <summary>
        /// First back-off after an unanswered attempt: one expected computation (5.8 s). Retrying faster
        /// would keep the CPU saturated with attempts whose answers cannot have arrived yet. Doubles per
        /// attempt (with jitter), capped at <see cref="BackoffMaxMilliseconds"/>.
        /// </summary>
        public const int BackoffBaseMilliseconds = ComputeEstimateMilliseconds;

        public const int BackoffMaxMilliseconds = 10 * 60 * 1000;

        /// <summary>The service's retry-after is honoured up to its protocol bound, 86400 s (docs/protocol.md 10).</summary>
        public const int RetryAfterMaxMilliseconds = 86400 * 1000;

        /// <summary>Attempts with one bundle before giving up (back-offs up to 5.8 s, 12 s, 23 s ... 6 min, with the result waits and computations at most about 17 minutes in all).</summary>
        public const int MaxAttempts = 8;

        /// <summary>How often to re-check the entropy source, and to retry a failed network step.</summary>
        public const int EntropyRecheckMilliseconds = 1000;

        public const int NetworkRetryMilliseconds = 5000;

        /// <summary>
        /// Field operations of one rekey on the device (docs/session-protocol.md section 7.4): two X25519
        /// base-point multiplications to start (e_B public, and IK_B public for the transcript) and three DHs
        /// to finish, five 2,561-operation ladders in all; hashing and AEAD are negligible beside them.
        /// </summary>
        public const int FieldOpsPerRekey = 5 * 2561;

        /// <summary>The device's part of a rekey: about 3.9 s expected, 6.6 s worst on a 240 MHz ESP32.</summary>
        public const int RekeyComputeWorstMilliseconds = FieldOpsPerRekey * FieldOpMicrosecondsWorst / 1000; // 6 632

        /// <summary>
        /// How long a started rekey waits for the service's response. The device's own work happens before the
        /// init leaves and after the response arrives, so this covers the broker round trip and the service's
        /// three DHs (milliseconds on a server) with the same margin as an enrollment result.
        /// </summary>
        public const int RekeyTimeoutMilliseconds = ResultTimeoutMilliseconds;
    }
}
