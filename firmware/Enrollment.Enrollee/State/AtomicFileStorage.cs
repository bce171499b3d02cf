using Enrollment.Enrollee.Ports;

namespace Enrollment.Enrollee.State
{
    /// <summary>
    /// All-or-nothing records over a plain file system (write new, then rename):
    /// <code>
    /// 1. write and flush "name.new"        (a crash here leaves a possibly partial "name.new")
    /// 2. rename "name" to "name.old"       (only if "name" exists)
    /// 3. rename "name.new" to "name"       (the commit point)
    /// 4. delete "name.old"
    /// </code>
    /// <see cref="Read"/> resolves what an interrupted write left behind, so that a reader always sees the
    /// last committed content and never a partial file:
    /// <list type="bullet">
    /// <item>"name" exists: it is committed; leftovers "name.new" (uncommitted) and "name.old" are deleted.</item>
    /// <item>no "name", but "name.old" and "name.new": the crash came between steps 2 and 3; "name.new" was
    /// complete before step 2 began, so it is promoted (the write counts as done).</item>
    /// <item>no "name", only "name.new": a first write interrupted before its commit; it may be partial and
    /// is deleted (the write did not happen).</item>
    /// </list>
    /// Renames are atomic on LittleFS (the ESP32's I:\ drive) and POSIX file systems; that is all this assumes.
    /// </summary>
    public sealed class AtomicFileStorage : IStorage
    {
        private const string NewSuffix = ".new";
        private const string OldSuffix = ".old";

        /// <summary>Records the device keeps (device.rec, channel.rec): their derived names are made once.</summary>
        private const int NameSlots = 4;

        private readonly IFileSystem _files;
        private readonly string[] _names = new string[NameSlots];
        private readonly string[] _freshNames = new string[NameSlots];
        private readonly string[] _oldNames = new string[NameSlots];
        private int _nextSlot;

        public AtomicFileStorage(IFileSystem files)
        {
            if (files == null)
            {
                throw new System.ArgumentNullException("files");
            }

            _files = files;
        }

        public int Read(string name, byte[] buffer, int offset, int count)
        {
            Settle(name, Slot(name));
            return _files.Exists(name) ? _files.ReadAll(name, buffer, offset, count) : -1;
        }

        public void WriteAtomic(string name, byte[] buffer, int offset, int count)
        {
            // Settle any leftover first, so that the steps below start from "name" alone (or nothing).
            int slot = Slot(name);
            Settle(name, slot);
            string fresh = _freshNames[slot];
            string old = _oldNames[slot];
            _files.WriteAll(fresh, buffer, offset, count);
            bool hadOld = _files.Exists(name);
            if (hadOld)
            {
                _files.Move(name, old);
            }

            _files.Move(fresh, name);
            if (hadOld)
            {
                _files.Delete(old);
            }
        }

        public void Delete(string name)
        {
            // Uncommitted and stale copies first: if the power fails before "name" goes, the last committed
            // record survives and the delete simply did not happen; no leftover can be promoted later.
            DeleteIfExists(name + NewSuffix);
            DeleteIfExists(name + OldSuffix);
            DeleteIfExists(name);
        }

        /// <summary>
        /// The slot holding "name.new" and "name.old" for this name, made on first use: a write then allocates
        /// no strings (a command's acknowledgement writes the channel record twice; the steady state allocates nothing).
        /// </summary>
        private int Slot(string name)
        {
            for (int i = 0; i < NameSlots; i++)
            {
                if (_names[i] != null && _names[i] == name)
                {
                    return i;
                }
            }

            int slot = _nextSlot;
            _nextSlot = (_nextSlot + 1) % NameSlots;
            _names[slot] = name;
            _freshNames[slot] = name + NewSuffix;
            _oldNames[slot] = name + OldSuffix;
            return slot;
        }

        private void Settle(string name, int slot)
        {
            string fresh = _freshNames[slot];
            string old = _oldNames[slot];
            if (_files.Exists(name))
            {
                DeleteIfExists(fresh);
                DeleteIfExists(old);
            }
            else if (_files.Exists(old))
            {
                if (_files.Exists(fresh))
                {
                    _files.Move(fresh, name);
                    _files.Delete(old);
                }
                else
                {
                    _files.Move(old, name);
                }
            }
            else
            {
                DeleteIfExists(fresh);
            }
        }

        private void DeleteIfExists(string name)
        {
            if (_files.Exists(name))
            {
                _files.Delete(name);
            }
        }
    }
}
