using System.IO;
using Enrollment.Enrollee.Ports;

namespace Enrollment.Esp32.Adapters
{
    /// <summary>
    /// <see cref="IFileSystem"/> on the internal flash drive I:\ (LittleFS). LittleFS renames are atomic,
    /// which is the one property <see cref="Enrollee.State.AtomicFileStorage"/> relies on; all names live on
    /// the same drive so File.Move renames natively and never falls back to copy-and-delete.
    /// </summary>
    internal sealed class FlashFileSystem : IFileSystem
    {
        private readonly string _root;

        public FlashFileSystem(string root)
        {
            _root = root;
        }

        public bool Exists(string name)
        {
            return File.Exists(_root + name);
        }

        public int ReadAll(string name, byte[] buffer, int offset, int count)
        {
            using (FileStream stream = new FileStream(_root + name, FileMode.Open, FileAccess.Read))
            {
                long length = stream.Length;
                if (length > count)
                {
                    throw new System.ArgumentException("file larger than the buffer", "count");
                }

                int total = 0;
                while (total < length)
                {
                    int n = stream.Read(buffer, offset + total, (int)length - total);
                    if (n <= 0)
                    {
                        throw new IOException("short read: " + name);
                    }

                    total += n;
                }

                return total;
            }
        }

        public void WriteAll(string name, byte[] buffer, int offset, int count)
        {
            using (FileStream stream = new FileStream(_root + name, FileMode.Create, FileAccess.Write))
            {
                stream.Write(buffer, offset, count);
                stream.Flush();
            }
        }

        public void Delete(string name)
        {
            File.Delete(_root + name);
        }

        public void Move(string from, string to)
        {
            File.Move(_root + from, _root + to);
        }
    }
}
