namespace Enrollment.Enrollee.Ports
{
    /// <summary>
    /// Named records in non-volatile storage. <see cref="WriteAtomic"/> is all-or-nothing across power loss:
    /// after a reboot, <see cref="Read"/> returns either the complete old content or the complete new one.
    /// <see cref="State.AtomicFileStorage"/> provides that contract over a plain file system
    /// (<see cref="IFileSystem"/>) by writing a new file and then renaming it.
    /// </summary>
    public interface IStorage
    {
        /// <summary>Reads the record into the buffer; returns its length, or -1 if it does not exist.</summary>
        /// <exception cref="System.ArgumentException">The record is larger than <paramref name="count"/>.</exception>
        int Read(string name, byte[] buffer, int offset, int count);

        void WriteAtomic(string name, byte[] buffer, int offset, int count);

        void Delete(string name);
    }

    /// <summary>
    /// The primitive file operations of the device's flash file system (LittleFS on I:\ on the ESP32) or a
    /// host directory. None of them is assumed atomic except <see cref="Move"/> onto a name that does not exist.
    /// </summary>
    public interface IFileSystem
    {
        bool Exists(string name);

        /// <summary>Reads the whole file; returns its length; throws ArgumentException if it exceeds count.</summary>
        int ReadAll(string name, byte[] buffer, int offset, int count);

        /// <summary>Creates or truncates the file, writes the bytes and flushes them to the medium.</summary>
        void WriteAll(string name, byte[] buffer, int offset, int count);

        void Delete(string name);

        /// <summary>Renames a file; the target must not exist.</summary>
        void Move(string from, string to);
    }
}
