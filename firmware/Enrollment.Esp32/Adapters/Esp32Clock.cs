using System;
using System.Threading;
using Enrollment.Enrollee.Ports;
using nanoFramework.Hardware.Esp32;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// Monotonic time from the ESP32's 64-bit microsecond timer (esp_timer), which SNTP cannot move;
    /// wall time from DateTime.UtcNow once SNTP has set it (the Wi-Fi adapter connects with requiresDateTime).
    /// </summary>
    internal sealed class Esp32Clock : IClock
    {
        /// <summary>Before this (2024-01-01T00:00:00Z) the RTC still holds its power-on value, not real time.</summary>
        private const long EarliestPlausibleUnixTime = 1704067200;

        private const long UnixEpochTicks = 621355968000000000L;

        public long NowMilliseconds
        {
            get { return (long)(HighResTimer.GetCurrent() / 1000UL); }
        }

        public long UnixTimeSeconds
        {
            get
            {
                long seconds = (DateTime.UtcNow.Ticks - UnixEpochTicks) / TimeSpan.TicksPerSecond;
                return seconds >= EarliestPlausibleUnixTime ? seconds : 0;
            }
        }

        public void Sleep(int milliseconds)
        {
            Thread.Sleep(milliseconds);
        }
    }
}
