using System;
using System.Device.Gpio;
using System.Threading;
using Enrollment.Enrollee;
using Enrollment.Enrollee.Enrolling;
using Enrollment.Enrollee.Ports;
using Enrollment.Enrollee.State;
using Enrollment.Esp32.Adapters;

namespace Enrollment.Esp32
{
    /// <summary>
    /// The enrollee firmware: wires the ESP32 adapters to the portable core and runs its loop. Everything
    /// the device decides is in the core (firmware/Enrollment.Enrollee); this file only builds and drives it.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            SerialLog log = new SerialLog();
            log.Info("enrollee firmware " + DeviceConfig.FirmwareVersion + " starting");
            StatusLed led = new StatusLed(DeviceConfig.StatusLedPin);
            bool resetRequested = FactoryResetButtonHeld(led);

            Esp32Wifi wifi = new Esp32Wifi(log);
            HardwareEntropy entropy = new HardwareEntropy(wifi);
            Esp32Clock clock = new Esp32Clock();
            UartSerialLink serial = new UartSerialLink(DeviceConfig.EnrollerPort, DeviceConfig.EnrollerBaudRate,
                DeviceConfig.EnrollerRxPin, DeviceConfig.EnrollerTxPin);
            AtomicFileStorage storage = new AtomicFileStorage(new FlashFileSystem(DeviceConfig.StorageRoot));
            M2MqttLink mqtt = new M2MqttLink(log, DeviceConfig.PinnedCaFile);
            NativeHmacCheck.Run(log);

            EnrolleeOptions options = new EnrolleeOptions();
            options.FirmwareVersion = DeviceConfig.FirmwareVersion;
            EnrolleeCore core = new EnrolleeCore(
                new EnrolleePorts(serial, mqtt, storage, clock, entropy, wifi, log), new ProtocolAdapter(), options);
            DeviceApplication app = new DeviceApplication(core, log);
            core.SetCommandHandler(app);
            core.Boot();
            if (resetRequested)
            {
                core.FactoryReset();
            }

            log.Info("enroller link on " + DeviceConfig.EnrollerPort + " (RX GPIO" + DeviceConfig.EnrollerRxPin.ToString()
                + ", TX GPIO" + DeviceConfig.EnrollerTxPin.ToString() + ", " + DeviceConfig.EnrollerBaudRate.ToString() + " baud)");
            while (true)
            {
                try
                {
                    core.Step();
                    app.Step(clock.NowMilliseconds);
                }
                catch (Exception e)
                {
                    // The state on flash is consistent whatever threw (every transition is one atomic write),
                    // so logging and carrying on is safe; the next Step retries from that state.
                    log.Error("loop: " + e.GetType().Name + ": " + e.Message);
                    clock.Sleep(1000);
                }

                led.Show(core.State, core.Code, clock.NowMilliseconds, core.ChannelReady);
                Thread.Sleep(DeviceTimings.PollIntervalMilliseconds);
            }
        }

        /// <summary>True if the BOOT button is held for the whole hold time at power-up (LED flickers meanwhile).</summary>
        private static bool FactoryResetButtonHeld(StatusLed led)
        {
            GpioController gpio = new GpioController();
            GpioPin button = gpio.OpenPin(DeviceConfig.FactoryResetPin, PinMode.InputPullUp);
            try
            {
                for (int waited = 0; waited < DeviceConfig.FactoryResetHoldMilliseconds; waited += 50)
                {
                    if (button.Read() == PinValue.High)
                    {
                        return false;
                    }

                    led.Show(EnrolleeState.Fresh, StatusCode.None, waited, false);
                    Thread.Sleep(50);
                }

                return true;
            }
            finally
            {
                gpio.ClosePin(DeviceConfig.FactoryResetPin);
            }
        }
    }
}
