using System.Device.Wifi;
using System.Text;
using System.Threading;
using Enrollment.Enrollee.Ports;
using nanoFramework.Networking;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="IWifi"/> through nanoFramework's WifiNetworkHelper (station mode, DHCP). The helper keeps
    /// the SSID and password in the ESP32's Wi-Fi configuration (NVS) so that the radio can reconnect on
    /// its own; a factory reset of the enrollee does not erase that copy (docs/hardware.md says how).
    /// </summary>
    internal sealed class Esp32Wifi : IWifi
    {
        private readonly ILog _log;
        private bool _connected;

        public Esp32Wifi(ILog log)
        {
            _log = log;
        }

        public bool IsConnected
        {
            get { return _connected && WifiNetworkHelper.Status == NetworkHelperStatus.NetworkIsReady; }
        }

        public bool Connect(byte[] ssid, int ssidCount, byte[] password, int passwordCount, int timeoutMilliseconds)
        {
            // The helper's API takes strings; these two are the only ones the firmware makes from the
            // settings, and they are dropped right after the call.
            string name = Encoding.UTF8.GetString(ssid, 0, ssidCount);
            string secret = Encoding.UTF8.GetString(password, 0, passwordCount);

            // requiresDateTime: false, because a network without Internet access (no SNTP) must still be able
            // to enroll: the enroller's clock stands in (docs/serial-protocol.md, Bundle).
            CancellationTokenSource timeout = new CancellationTokenSource(timeoutMilliseconds);
            _connected = WifiNetworkHelper.ConnectDhcp(name, secret, WifiReconnectionKind.Automatic, false, 0, timeout.Token);
            if (!_connected)
            {
                _log.Warn("wifi: join failed (" + StatusName(WifiNetworkHelper.Status) + ")");
            }

            return _connected;
        }

        public void Disconnect()
        {
            _connected = false;
            WifiNetworkHelper.Disconnect();
        }

        private static string StatusName(NetworkHelperStatus status)
        {
            switch (status)
            {
                case NetworkHelperStatus.FailedNoNetworkInterface: return "no network interface";
                case NetworkHelperStatus.TokenExpiredWaitingIPAddress: return "timed out waiting for an address";
                case NetworkHelperStatus.TokenExpiredWaitingDateTime: return "timed out waiting for the time";
                case NetworkHelperStatus.ExceptionOccurred: return "exception";
                default: return "status " + ((int)status).ToString();
            }
        }
    }
}
