using Enrollment.Enrollee.Ports;

namespace Enrollment.Firmware.Tests.Fakes;

/// <summary>Thrown by the fakes to simulate the power going off in the middle of an operation.</summary>
internal sealed class PowerLossException : Exception
{
    public PowerLossException() : base("power lost") { }
}

/// <summary>
/// An in-memory flash file system that can lose power at its k-th mutating operation. A crash in WriteAll
/// leaves a torn file (the first half of the bytes), as a real medium can; Move and Delete are atomic
/// (as LittleFS's are) and crash either before or after taking effect.
/// </summary>
internal sealed class MemoryFileSystem : IFileSystem
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>1-based index of the mutating operation at which power fails; 0 = never.</summary>
    public int CrashAt { get; set; }

    /// <summary>With a crash in Move/Delete: true = the operation took effect before the power went.</summary>
    public bool CrashAfterEffect { get; set; }

    public int MutatingOperations { get; private set; }

    /// <summary>Every byte array ever written, to prove what never reached flash.</summary>
    public List<byte[]> History { get; } = new();

    public IReadOnlyDictionary<string, byte[]> Files => _files;

    /// <summary>
    /// For allocation tests: a write reuses an array of its length that a delete or an overwrite freed, and
    /// <see cref="History"/> is not kept, so that the fake itself allocates nothing in a steady state.
    /// </summary>
    public bool RecycleBuffers { get; set; }

    private readonly Stack<byte[]> _freed = new();

    public bool Exists(string name) => _files.ContainsKey(name);

    public int ReadAll(string name, byte[] buffer, int offset, int count)
    {
        byte[] data = _files[name];
        if (data.Length > count)
        {
            throw new ArgumentException("file larger than the buffer", nameof(count));
        }

        data.CopyTo(buffer, offset);
        return data.Length;
    }

    public void WriteAll(string name, byte[] buffer, int offset, int count)
    {
        if (RecycleBuffers && CrashAt == 0 && _freed.TryPeek(out byte[]? spare) && spare.Length == count)
        {
            _freed.Pop();
            buffer.AsSpan(offset, count).CopyTo(spare);
            Free(name);
            _files[name] = spare;
            return;
        }

        byte[] data = buffer.AsSpan(offset, count).ToArray();
        if (Tick())
        {
            _files[name] = data.AsSpan(0, count / 2).ToArray();
            History.Add(_files[name]);
            throw new PowerLossException();
        }

        Free(name);
        _files[name] = data;
        if (!RecycleBuffers)
        {
            History.Add(data);
        }
    }

    public void Delete(string name)
    {
        bool crash = Tick();
        if (crash && !CrashAfterEffect)
        {
            throw new PowerLossException();
        }

        Free(name);
        _files.Remove(name);
        if (crash)
        {
            throw new PowerLossException();
        }
    }

    private void Free(string name)
    {
        if (RecycleBuffers && _files.TryGetValue(name, out byte[]? old))
        {
            _freed.Push(old);
        }
    }

    public void Move(string from, string to)
    {
        if (_files.ContainsKey(to))
        {
            throw new IOException("target exists: " + to);
        }

        bool crash = Tick();
        if (crash && !CrashAfterEffect)
        {
            throw new PowerLossException();
        }

        _files[to] = _files[from];
        _files.Remove(from);
        if (crash)
        {
            throw new PowerLossException();
        }
    }

    private bool Tick()
    {
        MutatingOperations++;
        if (CrashAt != 0 && MutatingOperations == CrashAt)
        {
            CrashAt = 0;
            return true;
        }

        return false;
    }
}
