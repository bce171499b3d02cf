namespace Enrollment.Enrollee.Ports
{
    /// <summary>Monotonic time since boot; no wall clock is assumed (the ESP32 has no battery-backed RTC).</summary>
    public interface IClock
    {
        /// <summary>Milliseconds since an arbitrary origin; never goes backwards.</summary>
        long NowMilliseconds { get; }

        /// <summary>Blocks the calling thread (the device's main loop) for a while.</summary>
        void Sleep(int milliseconds);
    }
}
