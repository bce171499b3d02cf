using Enrollment.Enrollee.Ports;

namespace Enrollment.Simulator.Adapters;

/// <summary>
/// The device's flash as a host directory. The core's <see cref="Enrollment.Enrollee.State.AtomicFileStorage"/>
/// builds its all-or-nothing writes on these primitives (write "name.new", then rename); here every write is
/// flushed to the disk (fsync) before the rename, as LittleFS commits a file before its rename.
/// </summary>
internal sealed class DirectoryFileSystem : IFileSystem
{
    private readonly string _root;

    public DirectoryFileSystem(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Directory.CreateDirectory(root);
        _root = root;
    }

    public bool Exists(string name) => File.Exists(PathOf(name));

    public int ReadAll(string name, byte[] buffer, int offset, int count)
    {
        using var file = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read);
        if (file.Length > count)
        {
            throw new ArgumentException("the file '" + name + "' is larger than the buffer", nameof(count));
        }

        int length = (int)file.Length;
        file.ReadExactly(buffer, offset, length);
        return length;
    }

    public void WriteAll(string name, byte[] buffer, int offset, int count)
    {
        using var file = new FileStream(PathOf(name), FileMode.Create, FileAccess.Write, FileShare.None);
        file.Write(buffer, offset, count);
        file.Flush(flushToDisk: true);
    }

    public void Delete(string name) => File.Delete(PathOf(name));

    public void Move(string from, string to) => File.Move(PathOf(from), PathOf(to), overwrite: false);

    private string PathOf(string name)
    {
        // Record names come from the core ("device.rec" and its ".new"/".old" siblings), never from input.
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException("not a plain record name: " + name, nameof(name));
        }

        return Path.Combine(_root, name);
    }
}
