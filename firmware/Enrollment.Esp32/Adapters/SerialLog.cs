using System;
using Enrollment.Enrollee.Ports;
using nanoFramework.Hardware.Esp32;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="ILog"/> on the debug channel (UART0, shown by Visual Studio's Output pane or the VS Code
    /// debug console). Console rather than Debug.WriteLine, which Release builds compile away. Each line
    /// carries the uptime in milliseconds. The core never hands this class a secret.
    /// </summary>
    internal sealed class SerialLog : ILog
    {
        public void Info(string line)
        {
            Write("I ", line);
        }

        public void Warn(string line)
        {
            Write("W ", line);
        }

        public void Error(string line)
        {
            Write("E ", line);
        }

        private static void Write(string level, string line)
        {
            Console.WriteLine(((long)(HighResTimer.GetCurrent() / 1000UL)).ToString() + " " + level + line);
        }
    }
}
