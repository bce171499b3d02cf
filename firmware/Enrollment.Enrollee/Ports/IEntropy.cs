namespace Enrollment.Enrollee.Ports
{
    /// <summary>
    /// Random bytes for private keys. On the ESP32 this is the hardware RNG behind System.Random, which
    /// is only truly random while the radio (Wi-Fi or Bluetooth) runs; before that it is a deterministic
    /// function of the boot, and a key made from it could repeat across reboots.
    /// </summary>
    public interface IEntropy
    {
        /// <summary>True once <see cref="Fill"/> returns unpredictable bytes; key generation waits for it.</summary>
        bool IsTrulyRandom { get; }

        void Fill(byte[] buffer, int offset, int count);
    }
}
