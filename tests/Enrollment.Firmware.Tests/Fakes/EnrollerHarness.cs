using Enrollment.Enrollee.Link;
using Enrollment.Enrollee.Messages;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>The enroller's end of the link, as a test drives it: sends requests, keeps what comes back.</summary>
internal sealed class EnrollerHarness : ILinkHandler
{
    private readonly byte[] _buffer = new byte[Limits.MaxBundleMessage];

    public EnrollerHarness(SerialPipe.End end, FakeClock clock)
    {
        var options = new LinkOptions { SlotSize = Limits.MaxBundleMessage, QueueSlots = 4 };
        Link = new EnrollerLink(end, clock, this, options);
    }

    public EnrollerLink Link { get; }
    public List<(byte Type, byte[] Payload)> Received { get; } = new();
    public int SendFailures { get; private set; }

    public void OnMessage(byte type, byte[] payload, int offset, int count) =>
        Received.Add((type, payload.AsSpan(offset, count).ToArray()));

    public void OnSendFailed(byte type) => SendFailures++;

    public void OnMessageTooLarge(byte type) => throw new InvalidOperationException("device sent an oversize message");

    public void Hello(params byte[] versions)
    {
        var m = new HelloMessage();
        versions = versions.Length == 0 ? new byte[] { 1 } : versions;
        versions.CopyTo(m.Versions, 0);
        m.VersionCount = versions.Length;
        Send(MessageType.Hello, m.Encode(_buffer, 0));
    }

    public void Bundle(byte[] bundle, string ssid = "lab-net", string password = "correct horse battery", string pet = "", long time = 0)
    {
        var m = new BundleMessage { EnrollerTime = time };
        Put(m.Ssid, ssid, out m.SsidLength);
        Put(m.Password, password, out m.PasswordLength);
        Put(m.PetName, pet, out m.PetNameLength);
        bundle.CopyTo(m.Bundle, 0);
        m.BundleLength = bundle.Length;
        Send(MessageType.Bundle, m.Encode(_buffer, 0));
    }

    public void StatusRequest() => Send(MessageType.StatusRequest, 0);

    public void FactoryReset(byte[] enrolleeId)
    {
        var m = new FactoryResetMessage();
        enrolleeId.CopyTo(m.EnrolleeId, 0);
        m.EnrolleeIdLength = enrolleeId.Length;
        Send(MessageType.FactoryReset, m.Encode(_buffer, 0));
    }

    public void Raw(byte type, byte[] payload)
    {
        payload.CopyTo(_buffer, 0);
        Send(type, payload.Length);
    }

    public HelloReplyMessage? LastHelloReply()
    {
        var r = Received.LastOrDefault(m => m.Type == MessageType.HelloReply);
        if (r.Payload == null)
        {
            return null;
        }

        var m = new HelloReplyMessage();
        Assert.True(m.TryDecode(r.Payload, 0, r.Payload.Length));
        return m;
    }

    public StatusMessage? LastStatus()
    {
        var r = Received.LastOrDefault(m => m.Type == MessageType.Status);
        if (r.Payload == null)
        {
            return null;
        }

        var m = new StatusMessage();
        Assert.True(m.TryDecode(r.Payload, 0, r.Payload.Length));
        return m;
    }

    public ErrorMessage? LastError()
    {
        var r = Received.LastOrDefault(m => m.Type == MessageType.Error);
        if (r.Payload == null)
        {
            return null;
        }

        var m = new ErrorMessage();
        Assert.True(m.TryDecode(r.Payload, 0, r.Payload.Length));
        return m;
    }

    private void Send(byte type, int count) => Assert.True(Link.TrySend(type, _buffer, 0, count));

    private static void Put(byte[] into, string text, out int length)
    {
        byte[] b = System.Text.Encoding.UTF8.GetBytes(text);
        b.CopyTo(into, 0);
        length = b.Length;
    }
}
