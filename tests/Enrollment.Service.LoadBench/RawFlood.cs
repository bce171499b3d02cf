using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Enrollment.Service.LoadBench;

/// <summary>
/// The flood's sender: one MQTT 3.1.1 connection on a plain socket that writes pre-encoded QoS 0 PUBLISH
/// packets, every packet due so far in one write. An attacker sends as cheaply as it can, and on a real
/// deployment from another machine; here it shares the two cores, so what it spends is charged to everyone's
/// latency. Through MQTTnet it cost 1-5 us of CPU per junk message and two send calls (header, payload);
/// this way each write carries about a millisecond's worth of packets. The broker reads the same bytes.
/// </summary>
internal sealed class RawFlood : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawFlood(Socket socket) => _socket = socket;

    public static async Task<RawFlood> ConnectAsync(int port, string clientId)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 1 << 20 };
        await socket.ConnectAsync("127.0.0.1", port);
        var flood = new RawFlood(socket);
        await flood.SendAsync(Connect(clientId));
        var connack = new byte[4];
        var read = 0;
        while (read < 4)
        {
            var n = await socket.ReceiveAsync(connack.AsMemory(read));
            if (n == 0)
            {
                throw new IOException("the broker closed the flood's connection before CONNACK");
            }

            read += n;
        }

        // MQTT 3.1.1 section 3.2: 0x20, remaining length 2, session present, return code 0 = accepted.
        if (connack[0] != 0x20 || connack[3] != 0)
        {
            throw new IOException("the broker refused the flood's connection: " + Convert.ToHexString(connack));
        }

        return flood;
    }

    /// <summary>Every junk message as one QoS 0 PUBLISH packet, back to back, and where each packet ends.</summary>
    public static (byte[] Packets, int[] Ends) Encode(Func<byte[], string> topicOf, List<byte[]> junk)
    {
        var stream = new MemoryStream();
        var ends = new int[junk.Count];
        for (var i = 0; i < junk.Count; i++)
        {
            var topicBytes = Encoding.UTF8.GetBytes(topicOf(junk[i]));
            // MQTT 3.1.1 section 3.3: 0x30 (PUBLISH, QoS 0), remaining length, topic (length-prefixed), payload.
            stream.WriteByte(0x30);
            WriteRemainingLength(stream, 2 + topicBytes.Length + junk[i].Length);
            stream.WriteByte((byte)(topicBytes.Length >> 8));
            stream.WriteByte((byte)topicBytes.Length);
            stream.Write(topicBytes);
            stream.Write(junk[i]);
            ends[i] = (int)stream.Length;
        }

        return (stream.ToArray(), ends);
    }

    /// <summary>Sends the packets paced at <paramref name="rate"/> per second from <paramref name="start"/>; returns the rate reached.</summary>
    public async Task<double> SendPacedAsync((byte[] Packets, int[] Ends) flood, double rate, long start)
    {
        await Task.Yield();
        var sent = 0;
        var count = flood.Ends.Length;
        while (sent < count)
        {
            var due = (int)Math.Min(count, Math.Floor(Stopwatch.GetElapsedTime(start).TotalSeconds * rate) + 1);
            if (due > sent)
            {
                var from = sent == 0 ? 0 : flood.Ends[sent - 1];
                await SendAsync(flood.Packets.AsMemory(from, flood.Ends[due - 1] - from));
                sent = due;
            }
            else
            {
                await Task.Delay(1);
            }
        }

        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var n = await _socket.SendAsync(bytes);
            bytes = bytes[n..];
        }
    }

    private static byte[] Connect(string clientId)
    {
        // MQTT 3.1.1 section 3.1: protocol name "MQTT", level 4, flags 0x02 (clean session), keep-alive 0 (off).
        var id = Encoding.UTF8.GetBytes(clientId);
        var body = new MemoryStream();
        body.Write([0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x00]);
        body.Write([(byte)(id.Length >> 8), (byte)id.Length]);
        body.Write(id);
        var packet = new MemoryStream();
        packet.WriteByte(0x10);
        WriteRemainingLength(packet, (int)body.Length);
        body.WriteTo(packet);
        return packet.ToArray();
    }

    private static void WriteRemainingLength(Stream stream, int length)
    {
        // MQTT 3.1.1 section 2.2.3: seven bits per byte, least significant first, high bit = more follows.
        do
        {
            var b = length % 128;
            length /= 128;
            stream.WriteByte((byte)(length > 0 ? b | 0x80 : b));
        }
        while (length > 0);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await SendAsync(new byte[] { 0xE0, 0x00 }); // DISCONNECT
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
    }
}
