using System;

namespace Enrollment.SelfTest
{
    /// <summary>
    /// The device self-test app: runs the checks once and prints them on the console (the debugger channel
    /// on an ESP32; stdout under nanoFramework's virtual device), then returns.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            // Main returns when done: nanoFramework's virtual device (the posix/win32 nanoCLR) then prints
            // "Done." and exits, and an ESP32 firmware enters its debugger loop (EnterDebuggerLoopAfterExit),
            // so the board stays up with the output on the debugger channel. Sleeping forever here kept the
            // virtual device running for good.
            new SelfTestRunner(new ConsoleOutput(), new DateTimeClock()).RunAll();
        }

        private sealed class ConsoleOutput : ISelfTestOutput
        {
            public void Line(string text)
            {
                Console.WriteLine(text);
            }
        }

        /// <summary>DateTime ticks: nothing sets the clock while the self-test runs (no network), so it is monotonic here.</summary>
        private sealed class DateTimeClock : ISelfTestClock
        {
            public long Ticks
            {
                get { return DateTime.UtcNow.Ticks; }
            }
        }
    }
}
