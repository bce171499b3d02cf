using Enrollment.Enrollee.State;
using Enrollment.Firmware.Tests.Fakes;

namespace Enrollment.Firmware.Tests;

/// <summary>AtomicFileStorage: a crash at any step of a write leaves the old content or the new one, whole.</summary>
public class StorageTests
{
    private static byte[] Read(AtomicFileStorage storage, string name)
    {
        byte[] buffer = new byte[1000];
        int n = storage.Read(name, buffer, 0, buffer.Length);
        return n < 0 ? Array.Empty<byte>() : buffer[..n];
    }

    [Fact]
    public void Read_write_and_delete()
    {
        var storage = new AtomicFileStorage(new MemoryFileSystem());
        Assert.Equal(-1, storage.Read("a", new byte[10], 0, 10));
        storage.WriteAtomic("a", new byte[] { 1, 2, 3 }, 0, 3);
        Assert.Equal(new byte[] { 1, 2, 3 }, Read(storage, "a"));
        storage.WriteAtomic("a", new byte[] { 9, 4 }, 0, 2);
        Assert.Equal(new byte[] { 9, 4 }, Read(storage, "a"));
        storage.Delete("a");
        Assert.Equal(-1, storage.Read("a", new byte[10], 0, 10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_crash_at_any_step_leaves_old_or_new_whole(bool afterEffect)
    {
        byte[] old = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        byte[] fresh = Enumerable.Range(0, 300).Select(i => (byte)(255 - i)).ToArray();
        int outcomesNew = 0, outcomesOld = 0;
        for (int k = 1; k <= 6; k++)
        {
            var files = new MemoryFileSystem();
            var storage = new AtomicFileStorage(files);
            storage.WriteAtomic("r", old, 0, old.Length);
            files.CrashAt = files.MutatingOperations + k;
            files.CrashAfterEffect = afterEffect;
            try
            {
                storage.WriteAtomic("r", fresh, 0, fresh.Length);
            }
            catch (PowerLossException)
            {
            }

            byte[] got = Read(new AtomicFileStorage(files), "r");
            Assert.True(got.SequenceEqual(old) || got.SequenceEqual(fresh), "crash at step " + k);
            outcomesNew += got.SequenceEqual(fresh) ? 1 : 0;
            outcomesOld += got.SequenceEqual(old) ? 1 : 0;
            Assert.Equal(new[] { "r" }, files.Files.Keys);
        }

        Assert.True(outcomesNew > 0 && outcomesOld > 0);
    }

    [Fact]
    public void An_interrupted_first_write_leaves_nothing()
    {
        var files = new MemoryFileSystem { CrashAt = 1 };
        var storage = new AtomicFileStorage(files);
        Assert.Throws<PowerLossException>(() => storage.WriteAtomic("r", new byte[100], 0, 100));
        Assert.True(files.Exists("r.new")); // torn
        Assert.Equal(-1, new AtomicFileStorage(files).Read("r", new byte[200], 0, 200));
        Assert.Empty(files.Files);
    }

    [Fact]
    public void An_interrupted_delete_never_resurrects_an_uncommitted_write()
    {
        for (int k = 1; k <= 3; k++)
        {
            var files = new MemoryFileSystem();
            var storage = new AtomicFileStorage(files);
            storage.WriteAtomic("r", new byte[] { 1 }, 0, 1);
            files.CrashAt = files.MutatingOperations + 1;
            Assert.Throws<PowerLossException>(() => storage.WriteAtomic("r", new byte[] { 2 }, 0, 1)); // leaves a torn r.new
            files.CrashAt = files.MutatingOperations + k;
            try
            {
                storage.Delete("r");
            }
            catch (PowerLossException)
            {
            }

            byte[] got = Read(new AtomicFileStorage(files), "r");
            Assert.True(got.Length == 0 || got.SequenceEqual(new byte[] { 1 }), "step " + k);
        }
    }
}
