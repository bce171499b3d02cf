using Enrollment.Enrollee.Ports;
using Enrollment.Protocol.Session;

namespace Enrollment.Enrollee.Channel
{
    /// <summary>
    /// Counter reservations on flash (docs/session-protocol.md section 5) for the one epoch whose keys are
    /// on flash too: epoch 0, the keys of the enrollment, kept in the device record until the first rekey.
    /// <see cref="ChannelSender"/> calls <see cref="Reserve"/> before it uses a counter at or above the last
    /// reservation; the write is atomic (<see cref="IStorage.WriteAtomic"/>: write new, then rename) and
    /// returns only once durable, so after a power loss the sender resumes at the stored value, above every
    /// counter it may have used: a nonce never repeats under K_up (RFC 8439 section 4). One write per block.
    /// </summary>
    public sealed class FlashCounterStore : ICounterStore
    {
        private readonly ChannelRecordFile _file;

        public FlashCounterStore(ChannelRecordFile file)
        {
            if (file == null)
            {
                throw new System.ArgumentNullException("file");
            }

            _file = file;
        }

        /// <summary>Reservations written so far (for tests and the log).</summary>
        public int Writes { get; private set; }

        public bool Reserve(uint epoch, ulong reservedLimit)
        {
            ChannelRecord r = _file.Record;
            uint oldEpoch = r.ReservedEpoch;
            ulong old = r.Reserved;
            r.ReservedEpoch = epoch;
            r.Reserved = reservedLimit;
            if (!_file.Save())
            {
                // Not durable: memory goes back to what flash holds, and the sender sends nothing.
                r.ReservedEpoch = oldEpoch;
                r.Reserved = old;
                return false;
            }

            Writes++;
            return true;
        }
    }

    /// <summary>
    /// Reservations for an epoch whose keys live in RAM only (every epoch after a rekey): a power loss
    /// erases the keys together with the counter, and the next boot rekeys with fresh ephemerals, so no
    /// nonce can ever repeat under those keys and nothing needs to reach flash (docs/session-protocol.md
    /// section 5, "Device"). Saves the flash one write per block for the device's whole life.
    /// </summary>
    public sealed class VolatileCounterStore : ICounterStore
    {
        public bool Reserve(uint epoch, ulong reservedLimit)
        {
            return true;
        }
    }

    /// <summary>Loads and saves <see cref="ChannelRecord"/> atomically; its buffer (it holds IK_B') is zeroed after use.</summary>
    public sealed class ChannelRecordFile
    {
        private readonly IStorage _storage;
        private readonly ILog _log;
        private readonly byte[] _buffer = new byte[ChannelRecord.Size];

        public ChannelRecordFile(IStorage storage, ILog log)
        {
            _storage = storage;
            _log = log;
            Record = new ChannelRecord();
        }

        public ChannelRecord Record { get; private set; }

        /// <summary>True if a valid record was on flash; false (record cleared) if none or not valid.</summary>
        public bool Exists { get; private set; }

        /// <summary>Reads the record; returns false if the stored one is damaged (which the caller must treat as unknown).</summary>
        public bool Load()
        {
            Record.Clear();
            Exists = false;
            try
            {
                int count = _storage.Read(ChannelRecord.FileName, _buffer, 0, _buffer.Length);
                if (count < 0)
                {
                    return true;
                }

                Exists = Record.TryDecode(_buffer, count);
                return Exists;
            }
            catch (System.Exception e)
            {
                _log.Error("channel: cannot read the channel record (" + e.Message + ")");
                return false;
            }
            finally
            {
                System.Array.Clear(_buffer, 0, _buffer.Length);
            }
        }

        public bool Save()
        {
            try
            {
                int count = Record.Encode(_buffer);
                _storage.WriteAtomic(ChannelRecord.FileName, _buffer, 0, count);
                Exists = true;
                return true;
            }
            catch (System.IO.IOException e)
            {
                _log.Error("channel: storage write failed (" + e.Message + ")");
                return false;
            }
            finally
            {
                System.Array.Clear(_buffer, 0, _buffer.Length);
            }
        }

        public void Delete()
        {
            _storage.Delete(ChannelRecord.FileName);
            Record.Clear();
            Exists = false;
        }
    }
}
