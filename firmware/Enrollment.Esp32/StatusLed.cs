using System.Device.Gpio;
using Enrollment.Enrollee.State;

namespace Enrollment.Esp32
{
    /// <summary>
    /// One LED tells the state at a glance (docs/hardware.md has the table):
    /// fresh: fast flicker (10 Hz); identity-ready: slow blink (1 s); bundle-received/enrolling: double blink;
    /// enrolled: steady on once the secure channel is up (a short dark blink every 2 s while it connects or
    /// rekeys); revoked: off with a short flash every 2 s; a final failure: three quick blinks
    /// every 2 s (the enroller's Status says which).
    /// </summary>
    internal sealed class StatusLed
    {
        private readonly GpioPin? _pin;
        private bool _lit;

        public StatusLed(int pinNumber)
        {
            if (pinNumber >= 0)
            {
                _pin = new GpioController().OpenPin(pinNumber, PinMode.Output);
                _pin.Write(PinValue.Low);
            }
        }

        /// <summary>Updates the LED for the current state; called from the main loop (every 20 ms).</summary>
        public void Show(byte state, byte code, long nowMilliseconds, bool channelReady)
        {
            if (_pin == null)
            {
                return;
            }

            bool on;
            if (StatusCode.IsFinalFailure(code) && state == EnrolleeState.IdentityReady)
            {
                long t = nowMilliseconds % 2000;
                on = t < 600 && (t % 200) < 100;
            }
            else
            {
                switch (state)
                {
                    case EnrolleeState.Fresh:
                        on = (nowMilliseconds % 100) < 50;
                        break;
                    case EnrolleeState.IdentityReady:
                        on = (nowMilliseconds % 1000) < 500;
                        break;
                    case EnrolleeState.BundleReceived:
                    case EnrolleeState.Enrolling:
                        long t = nowMilliseconds % 1000;
                        on = t < 100 || (t >= 200 && t < 300);
                        break;
                    case EnrolleeState.Enrolled:
                        on = channelReady || (nowMilliseconds % 2000) >= 100;
                        break;
                    default:
                        on = (nowMilliseconds % 2000) < 50;
                        break;
                }
            }

            if (on != _lit)
            {
                _lit = on;
                _pin.Write(on ? PinValue.High : PinValue.Low);
            }
        }
    }
}
