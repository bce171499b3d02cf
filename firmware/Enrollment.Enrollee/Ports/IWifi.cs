namespace Enrollment.Enrollee.Ports
{
    /// <summary>The station-mode Wi-Fi interface. Credentials are passed as UTF-8 bytes so that the core
    /// never makes a string of the password (strings cannot be zeroed).</summary>
    public interface IWifi
    {
        /// <summary>Joins the network and obtains an address by DHCP; false on failure or timeout.</summary>
        bool Connect(byte[] ssid, int ssidCount, byte[] password, int passwordCount, int timeoutMilliseconds);

        bool IsConnected { get; }

        void Disconnect();
    }
}
