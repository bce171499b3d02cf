using System.Net;
using System.Net.Sockets;

namespace Enrollment.EndToEnd.Tests.Support;

internal static class FreePort
{
    /// <summary>A loopback port free right now (the OS picks it; the caller binds it soon after).</summary>
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
