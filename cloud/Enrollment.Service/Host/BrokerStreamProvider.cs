using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

namespace Enrollment.Service.Host;

/// <summary>
/// The service's TCP connection to the broker, made here rather than by MQTTnet so that reads are buffered.
/// MQTTnet reads a packet's fixed header and then its body with separate reads, each a recv system call on a
/// bare socket stream: strace of the load benchmark's peak counted 8.8 recv calls per enrollment (four packets
/// in), and junk under a flood paid the same per message. Through a 64 KB read buffer, one call takes whatever
/// the broker has sent. Writes go straight to the socket (MQTTnet writes each packet whole). TLS, when
/// configured, is layered by MQTTnet on top of this stream, so the buffer sits under it.
/// </summary>
internal sealed class BrokerStreamProvider : IMqttClientStreamProvider
{
    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            // Wide kernel buffers: see MqttLink.SocketBufferBytes (an 8 KB buffer stalled on loopback).
            ReceiveBufferSize = MqttLink.SocketBufferBytes,
            SendBufferSize = MqttLink.SocketBufferBytes,
        };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken).ConfigureAwait(false);
            return new ReadBufferedStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A stream whose reads come from a buffer refilled by one read of the inner stream; writes pass through.</summary>
internal sealed class ReadBufferedStream(Stream inner, int bufferSize = 64 * 1024) : Stream
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _start;
    private int _end;

    /// <summary>The stream underneath (the socket's NetworkStream).</summary>
    internal Stream Inner => inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            if (destination.Length >= _buffer.Length)
            {
                return await inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }

            _start = 0;
            _end = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_end == 0)
            {
                return 0;
            }
        }

        return Take(destination.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            if (destination.Length >= _buffer.Length)
            {
                return inner.Read(destination);
            }

            _start = 0;
            _end = inner.Read(_buffer);
            if (_end == 0)
            {
                return 0;
            }
        }

        return Take(destination);
    }

    private int Take(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> source) => inner.Write(source);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
