using System.Net;
using System.Net.Sockets;
using Enrollment.Service.Host;

namespace Enrollment.Service.Tests;

/// <summary>The service's own broker connection (Host/BrokerStreamProvider.cs): buffered reads, wide socket buffers, no Nagle.</summary>
public sealed class BrokerStreamTests
{
    /// <summary>An inner stream that counts its reads and hands out at most what it was given.</summary>
    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        public int Reads { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            return base.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            return base.Read(buffer);
        }
    }

    [Fact]
    public async Task Many_small_reads_cost_one_read_of_the_inner_stream_and_see_every_byte_in_order()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var inner = new CountingStream(data);
        await using var stream = new ReadBufferedStream(inner, bufferSize: 4096);
        var got = new List<byte>();
        var two = new byte[2];
        while (await stream.ReadAsync(two.AsMemory(0, 2)) is var n and > 0)
        {
            got.AddRange(two.Take(n));
        }

        Assert.Equal(data, got);
        Assert.Equal(2, inner.Reads); // one that filled the buffer, one that found the end
    }

    [Fact]
    public void A_read_as_large_as_the_buffer_goes_straight_through_and_sync_reads_share_the_buffer()
    {
        var data = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var inner = new CountingStream(data);
        using var stream = new ReadBufferedStream(inner, bufferSize: 100);
        var first = new byte[10];
        Assert.Equal(10, stream.Read(first, 0, 10));
        Assert.Equal(data[..10], first);
        var rest = new byte[90];
        Assert.Equal(90, stream.Read(rest, 0, 90)); // from the buffer, no inner read
        Assert.Equal(1, inner.Reads);
        var big = new byte[200];
        Assert.Equal(200, stream.Read(big, 0, 200));
        Assert.Equal(data[100..], big);
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public async Task The_provider_connects_with_wide_buffers_and_no_nagle_and_carries_bytes_both_ways()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accept = listener.AcceptTcpClientAsync();
        await using var stream = await new BrokerStreamProvider().ConnectAsync(new DnsEndPoint("127.0.0.1", port), CancellationToken.None);
        using var server = await accept;

        var socket = ((NetworkStream)((ReadBufferedStream)stream).Inner).Socket;
        Assert.True(socket.NoDelay);
        // Far above the 16 KB that stalled (Linux doubles what is asked, capped at 2 x net.core.rmem_max).
        Assert.True(socket.ReceiveBufferSize >= 256 * 1024, "receive buffer " + socket.ReceiveBufferSize);

        await stream.WriteAsync("ping"u8.ToArray());
        var buffer = new byte[4];
        await server.GetStream().ReadExactlyAsync(buffer);
        Assert.Equal("ping"u8.ToArray(), buffer);
        await server.GetStream().WriteAsync("pong"u8.ToArray());
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal("pong"u8.ToArray(), buffer);
    }
}
