namespace Enrollment.Esp32
{
    /// <summary>
    /// Board wiring, in one place (docs/hardware.md). Defaults suit an ESP32-DevKitC / WROOM-32 board;
    /// change them here for another board and rebuild.
    /// </summary>
    internal static class DeviceConfig
    {
        /// <summary>COM2 receive pin (from the USB-UART adapter's TX). UART0 (GPIO1/3) carries the debugger.</summary>
        public const int EnrollerRxPin = 16;

        /// <summary>COM2 transmit pin (to the USB-UART adapter's RX).</summary>
        public const int EnrollerTxPin = 17;

        public const string EnrollerPort = "COM2";
        public const int EnrollerBaudRate = 115200;

        /// <summary>Status LED: GPIO2 is the blue LED on most DevKit boards; -1 disables it.</summary>
        public const int StatusLedPin = 2;

        /// <summary>Factory reset: hold this button (GPIO0, "BOOT" on DevKit boards, active low) during power-up.</summary>
        public const int FactoryResetPin = 0;

        /// <summary>How long the button must be held at boot: long enough not to trigger by accident.</summary>
        public const int FactoryResetHoldMilliseconds = 3000;

        /// <summary>Internal flash drive (LittleFS on the "config" partition).</summary>
        public const string StorageRoot = "I:\\";

        /// <summary>Optional CA certificate (DER) for bundles that name their broker CA by SHA-256 only.</summary>
        public const string PinnedCaFile = "I:\\broker-ca.der";

        public const string FirmwareVersion = "0.1.0";

        /// <summary>Once enrolled, the sample application sends a telemetry reading this often.</summary>
        public const int TelemetryIntervalMilliseconds = 60000;
    }
}
