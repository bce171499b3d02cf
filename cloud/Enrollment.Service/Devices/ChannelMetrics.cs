using System.Diagnostics.Metrics;
using Enrollment.Service.Domain;

namespace Enrollment.Service.Devices;

/// <summary>
/// Channel metrics on the service's meter: messages accepted by type, dropped by reason (the reason is for
/// the operator only; docs/session-protocol.md section 4 never tells the sender), rekeys and rotations.
/// </summary>
internal sealed class ChannelMetrics
{
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _rekeyed;
    private readonly Counter<long> _sent;

    public ChannelMetrics(ServiceMetrics metrics)
    {
        var meter = metrics.Meter;
        _accepted = meter.CreateCounter<long>("channel.accepted", "{message}", "Device messages accepted, by type");
        _rejected = meter.CreateCounter<long>("channel.rejected", "{message}", "Device messages dropped, by reason");
        _rekeyed = meter.CreateCounter<long>("channel.rekeyed", "{handshake}", "Rekey handshakes completed (new epochs)");
        _sent = meter.CreateCounter<long>("channel.sent", "{message}", "Messages sent to devices, by type");
    }

    public void Accepted(string type) => _accepted.Add(1, new KeyValuePair<string, object?>("type", type));

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Rekeyed() => _rekeyed.Add(1);

    public void Sent(string type) => _sent.Add(1, new KeyValuePair<string, object?>("type", type));
}
