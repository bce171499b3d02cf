using System;
using System.Threading;

namespace Enrollment.SelfTest
{
    /// <summary>
    /// The device self-test app: runs the checks once and prints them on the console (the debugger channel
    /// on an ESP32; stdout under nanoFramework's virtual device), then idles.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            new SelfTestRunner(new ConsoleOutput(), new DateTimeClock()).RunAll();
            Thread.Sleep(Timeout.Infinite);
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
