using System.IO.Ports;
using Enrollment.Enrollee.Ports;
using nanoFramework.Hardware.Esp32;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="ISerialLink"/> on a hardware UART (COM2 by default). The ESP32 routes any UART to any GPIO
    /// through its pin matrix, so the pins are assigned with Configuration.SetPinFunction before the port
    /// is opened (ESP32 Technical Reference Manual, section 4 "IO_MUX and GPIO Matrix").
    /// </summary>
    internal sealed class UartSerialLink : ISerialLink
    {
        private readonly SerialPort _port;

        public UartSerialLink(string portName, int baudRate, int rxPin, int txPin)
        {
            Configuration.SetPinFunction(rxPin, DeviceFunction.COM2_RX);
            Configuration.SetPinFunction(txPin, DeviceFunction.COM2_TX);
            _port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One);
            _port.Handshake = Handshake.None;

            // Room for two full frames of the largest bundle fragment plus acknowledgements.
            _port.ReadBufferSize = 1024;
            _port.WriteTimeout = 500;
            _port.Open();
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            // SerialPort.Read throws TimeoutException when nothing is buffered: ask first, never block.
            int available = _port.BytesToRead;
            if (available <= 0)
            {
                return 0;
            }

            return _port.Read(buffer, offset, available < count ? available : count);
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            _port.Write(buffer, offset, count);
        }
    }
}
