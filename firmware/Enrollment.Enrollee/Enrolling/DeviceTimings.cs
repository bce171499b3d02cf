namespace Enrollment.Enrollee.Enrolling
{
    /// <summary>
    /// Every device timeout, derived in one place from the estimated cost of an enrollment on the ESP32.
    /// </summary>
    /// <remarks>
    /// Cost model (measured with the nanoFramework interpreter on a host, scaled to a 240 MHz ESP32):
    /// one X25519 scalar multiplication (unrolled 10-limb field arithmetic) takes about 13.5 ms under the
    /// host nanoCLR; the ESP32 runs the same interpreter about 100x slower, so about 1.3 s, with a likely
    /// range of 0.6-2.3 s (published ESP32/host ratios span 45x-750x; 64-bit multiplies are library calls on
    /// the 32-bit Xtensa).
    ///
    /// Scalar multiplications on the enrollee per attempt (docs/protocol.md):
    ///   EK_B public                             1
    ///   IK_B public                             1
    ///   verify XEdDSA(IK_A, SPK_A) in bundle     2  (double-scalar multiplication, about two)
    ///   DH1..DH4                                4
    ///   XEdDSA sign with IK_B (A = aB, R = rB)    2
    ///   total                                  10  => 10 x 1.3 s = 13 s expected, 10 x 2.3 s = 23 s worst
    /// (EIK_B's public key is made once per identity, not per attempt.)
    /// The device's single loop cannot serve the serial link while it computes, so it announces the
    /// worst case (23 s) to the enroller in Status.WaitSeconds before it starts.
    /// </remarks>
    public static class DeviceTimings
    {
        public const int ScalarMultEstimateMilliseconds = 1300;
        public const int ScalarMultWorstMilliseconds = 2300;
        public const int ScalarMultsPerAttempt = 10;

        public const int ComputeEstimateMilliseconds = ScalarMultsPerAttempt * ScalarMultEstimateMilliseconds; // 13 000
        public const int ComputeWorstMilliseconds = ScalarMultsPerAttempt * ScalarMultWorstMilliseconds;       // 23 000
        public const int ComputeWorstSeconds = (ComputeWorstMilliseconds + 999) / 1000;                       // 23

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
        /// other enrollees; it is deliberately more than one device computation (23 s worst), so a device
        /// never starts a new 13-23 s computation while the answer to the previous one is still on its way.
        /// </summary>
        public const int ResultTimeoutMilliseconds = ComputeWorstMilliseconds + 7000; // 30 000

        /// <summary>
        /// First back-off after an unanswered attempt: one expected computation (13 s). Retrying faster
        /// would keep the CPU saturated with attempts whose answers cannot have arrived yet. Doubles per
        /// attempt (with jitter), capped at <see cref="BackoffMaxMilliseconds"/>.
        /// </summary>
        public const int BackoffBaseMilliseconds = ComputeEstimateMilliseconds;

        public const int BackoffMaxMilliseconds = 10 * 60 * 1000;

        /// <summary>The service's retry-after is honoured up to its protocol bound, 86400 s (docs/protocol.md 10).</summary>
        public const int RetryAfterMaxMilliseconds = 86400 * 1000;

        /// <summary>Attempts with one bundle before giving up (13 s + 26 s + ... capped: about 20 minutes).</summary>
        public const int MaxAttempts = 8;

        /// <summary>How often to re-check the entropy source, and to retry a failed network step.</summary>
        public const int EntropyRecheckMilliseconds = 1000;

        public const int NetworkRetryMilliseconds = 5000;
    }
}
