namespace Enrollment.Enrollee.Ports
{
    /// <summary>
    /// Human-readable log lines (the ESP32 writes them to the debug UART). Callers never pass secrets:
    /// no private key, session key, Wi-Fi password or attempt state is ever formatted into a line.
    /// </summary>
    public interface ILog
    {
        void Info(string line);

        void Warn(string line);

        void Error(string line);
    }
}
