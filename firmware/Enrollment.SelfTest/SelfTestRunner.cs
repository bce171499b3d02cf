using System;

namespace Enrollment.SelfTest
{
    /// <summary>Where the self-test writes its lines (the console on the device, a list in the host test).</summary>
    public interface ISelfTestOutput
    {
        void Line(string text);
    }

    /// <summary>A clock for timings: 100-ns ticks (DateTime ticks on the device, a Stopwatch on the host).</summary>
    public interface ISelfTestClock
    {
        long Ticks { get; }
    }

    /// <summary>One check: true = pass. Throwing counts as a failure (the message is printed).</summary>
    public delegate bool SelfCheck();

    /// <summary>
    /// Runs the checks, one PASS/FAIL line each with its time, then per-operation timings (TIME lines), then
    /// one summary line:
    /// <c>SUMMARY: N passed, M failed (T ms)</c>. Whoever reads the output (a person at the serial console,
    /// the host test, a script around nanoFramework's posix runner, which exits 0 even after an unhandled
    /// exception) looks for that line.
    /// </summary>
    public sealed class SelfTestRunner
    {
        private readonly ISelfTestOutput _output;
        private readonly ISelfTestClock _clock;
        private long _started;

        public SelfTestRunner(ISelfTestOutput output, ISelfTestClock clock)
        {
            if (output == null)
            {
                throw new ArgumentNullException("output");
            }

            if (clock == null)
            {
                throw new ArgumentNullException("clock");
            }

            _output = output;
            _clock = clock;
        }

        public int Passed { get; private set; }

        public int Failed { get; private set; }

        /// <summary>Runs every check of the enrollment self-test and prints the summary; true if all passed.</summary>
        public bool RunAll()
        {
            _started = _clock.Ticks;
            _output.Line("Enrollment self-test: crypto known answers, timings, one in-memory enrollment");
            Run("sha256 FIPS 180-4 'abc'", new SelfCheck(CryptoChecks.Sha256Abc));
            Run("sha512 FIPS 180-4 'abc'", new SelfCheck(CryptoChecks.Sha512Abc));
            Run("hmac-sha256 RFC 4231 case 2", new SelfCheck(CryptoChecks.HmacRfc4231Case2));
            Run("hkdf-sha256 RFC 5869 A.1", new SelfCheck(CryptoChecks.HkdfRfc5869A1));
            Run("hkdf platform-hmac seam: known answers accept good, refuse bad", new SelfCheck(CryptoChecks.PlatformHmacSeam));
            Run("aead chacha20-poly1305 RFC 8439 2.8.2 seal", new SelfCheck(CryptoChecks.AeadSeal));
            Run("aead chacha20-poly1305 open, tamper rejected", new SelfCheck(CryptoChecks.AeadOpenAndTamper));
            Run("x25519 RFC 7748 6.1 one scalar multiplication", new SelfCheck(CryptoChecks.X25519Alice));
            Run("x25519 RFC 7748 6.1 shared secret", new SelfCheck(CryptoChecks.X25519Shared));
            Run("xeddsa sign, Signal known answer", new SelfCheck(CryptoChecks.XEdDsaSignKat));
            Run("xeddsa verify, tamper rejected", new SelfCheck(CryptoChecks.XEdDsaVerify));
            EnrollmentCheck enrollment = new EnrollmentCheck(_clock);
            Run("enrollment enrollee+service in memory", new SelfCheck(enrollment.Run));
            if (enrollment.EnrolleeTicks > 0)
            {
                _output.Line("TIME  enrollee side of one enrollment (bundle check + message): " + Ms(enrollment.EnrolleeTicks) + " ms");
            }

            try
            {
                new Timings(_output, _clock).RunAll();
            }
            catch (Exception e)
            {
                // Only a broken build throws here (every operation already passed its known answer above).
                Failed++;
                _output.Line("FAIL  timings (" + e.GetType().Name + ": " + e.Message + ")");
            }

            _output.Line("SUMMARY: " + Passed.ToString() + " passed, " + Failed.ToString() + " failed ("
                + Ms(_clock.Ticks - _started) + " ms)");
            return Failed == 0;
        }

        /// <summary>Runs one check and prints its line (public so that an app can add its own checks).</summary>
        public void Run(string name, SelfCheck check)
        {
            long t0 = _clock.Ticks;
            bool ok;
            string note = string.Empty;
            try
            {
                ok = check();
            }
            catch (Exception e)
            {
                ok = false;
                note = " (" + e.GetType().Name + ": " + e.Message + ")";
            }

            long elapsed = _clock.Ticks - t0;
            if (ok)
            {
                Passed++;
            }
            else
            {
                Failed++;
            }

            _output.Line((ok ? "PASS  " : "FAIL  ") + name + "  " + Ms(elapsed) + " ms" + note);
        }

        private static string Ms(long ticks)
        {
            return (ticks / TimeSpan.TicksPerMillisecond).ToString();
        }
    }
}
