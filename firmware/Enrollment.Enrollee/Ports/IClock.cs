namespace Enrollment.Enrollee.Ports
{
    /// <summary>Monotonic time since boot; no wall clock is assumed (the ESP32 has no battery-backed RTC).</summary>
    public interface IClock
    {
        /// <summary>Milliseconds since an arbitrary origin; never goes backwards.</summary>
        long NowMilliseconds { get; }

        /// <summary>
        /// Wall-clock time, Unix seconds UTC, once the device knows it (SNTP after Wi-Fi); 0 while unknown.
        /// </summary>
        long UnixTimeSeconds { get; }

        /// <summary>Blocks the calling thread (the device's main loop) for a while.</summary>
        void Sleep(int milliseconds);
    }
}
