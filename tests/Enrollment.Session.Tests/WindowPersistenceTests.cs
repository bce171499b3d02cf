using System.Security.Cryptography;
using Enrollment.Protocol.Session;

namespace Enrollment.Session.Tests;

/// <summary>
/// ChannelReceiver.ExportWindow / RestoreWindow: a receiver rebuilt from an exported window (the service
/// after a restart) judges every counter exactly as the original would, including the 128-bit map.
/// </summary>
public class WindowPersistenceTests
{
    [Fact]
    public void A_restored_receiver_rejects_what_was_accepted_and_accepts_what_was_not()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var sender = new ChannelSender(key, 3, 0, "dev-1", ChannelDirection.Up, new FlashCounterStore(), 64);
        var frames = new List<byte[]>();
        for (var i = 0; i < 300; i++)
        {
            frames.Add(ChannelPair.Seal(sender, ChannelMessageType.Telemetry, [(byte)i]));
        }

        var original = new ChannelReceiver(key, 3, "dev-1", ChannelDirection.Up);
        var rng = new Random(42);
        var delivered = new HashSet<int>();
        // Deliver 90 of 150..299 in random order: most accepted, some already below the window.
        foreach (var i in Enumerable.Range(150, 150).OrderBy(_ => rng.Next()).Take(90))
        {
            var status = ChannelPair.Open(original, frames[i], out _, out _);
            Assert.Contains(status, new[] { ChannelOpenStatus.Accepted, ChannelOpenStatus.TooOld });
            if (status == ChannelOpenStatus.Accepted)
            {
                delivered.Add(i);
            }
        }

        Assert.True(delivered.Count > 40);
        original.ExportWindow(out var any, out var top, out var low, out var high);
        Assert.True(any);
        var restored = new ChannelReceiver(key, 3, "dev-1", ChannelDirection.Up);
        restored.RestoreWindow(any, top, low, high);
        for (var i = 0; i < frames.Count; i++)
        {
            var fromOriginal = ChannelPair.Open(original, frames[i], out _, out _);
            var fromRestored = ChannelPair.Open(restored, frames[i], out _, out _);
            Assert.Equal(fromOriginal, fromRestored);
            if (delivered.Contains(i))
            {
                Assert.NotEqual(ChannelOpenStatus.Accepted, fromRestored); // replayed, or too old once the window moved on
            }
        }
    }

    [Fact]
    public void An_empty_window_restores_as_empty()
    {
        var pair = ChannelPair.Random();
        pair.ServiceReceiver.ExportWindow(out var any, out var top, out var low, out var high);
        Assert.False(any);
        var key = RandomNumberGenerator.GetBytes(32);
        var sender = new ChannelSender(key, 0, 500, "dev-1", ChannelDirection.Up, new FlashCounterStore(), 64);
        var receiver = new ChannelReceiver(key, 0, "dev-1", ChannelDirection.Up);
        receiver.RestoreWindow(any, 12345, 0xFFFF, 0xFFFF); // ignored when nothing was accepted
        Assert.Equal(ChannelOpenStatus.Accepted, ChannelPair.Open(receiver, ChannelPair.Seal(sender, ChannelMessageType.Telemetry, [1]), out _, out _));
        receiver.ExportWindow(out any, out top, out low, out high);
        Assert.Equal((true, 500UL, 1UL, 0UL), (any, top, low, high));
    }
}
