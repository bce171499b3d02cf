using System;
using System.Device.Wifi;
using Enrollment.Enrollee.Ports;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="IEntropy"/> from System.Random, which nanoFramework's ESP32 port implements with the
    /// hardware RNG (esp_random; the seed is ignored). Espressif documents that its output is truly random
    /// only while the RF subsystem (Wi-Fi or Bluetooth) runs, because thermal noise from the radio feeds it
    /// (ESP32 Technical Reference Manual, "Random Number Generator"). So at start-up this adapter turns the
    /// radio on with a Wi-Fi scan, and reports <see cref="IsTrulyRandom"/> only once a scan has completed
    /// (the radio really ran) or Wi-Fi is connected.
    /// </summary>
    internal sealed class HardwareEntropy : IEntropy
    {
        private readonly Random _random = new Random();
        private readonly byte[] _chunk = new byte[32];
        private readonly IWifi _wifi;
        private WifiAdapter? _adapter;
        private bool _radioRan;

        public HardwareEntropy(IWifi wifi)
        {
            _wifi = wifi;
            try
            {
                _adapter = WifiAdapter.FindAllAdapters()[0];
                _adapter.AvailableNetworksChanged += OnScanDone;
                _adapter.ScanAsync();
            }
            catch (Exception)
            {
                // No scan possible (radio busy connecting): a Wi-Fi connection will do instead.
                _adapter = null;
            }
        }

        public bool IsTrulyRandom
        {
            get { return _radioRan || _wifi.IsConnected; }
        }

        public void Fill(byte[] buffer, int offset, int count)
        {
            // Random.NextBytes fills a whole array; go through a small reused chunk for offset/count.
            while (count > 0)
            {
                _random.NextBytes(_chunk);
                int n = count < _chunk.Length ? count : _chunk.Length;
                Array.Copy(_chunk, 0, buffer, offset, n);
                offset += n;
                count -= n;
            }

            Array.Clear(_chunk, 0, _chunk.Length);
        }

        private void OnScanDone(WifiAdapter sender, object e)
        {
            _radioRan = true;
            if (_adapter != null)
            {
                _adapter.AvailableNetworksChanged -= OnScanDone;
            }
        }
    }
}
