using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Enrollment.Tool.Cache;

/// <summary>
/// One encrypted JSON document in the tool's directory, changed under an exclusive lock file so that
/// parallel provisioning (batch mode, or several enroll processes) never loses an update.
/// </summary>
internal sealed class Store<T>
    where T : class, new()
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);
    private readonly string _path;
    private readonly string _purpose;
    private readonly SecretBox _box;
    private readonly JsonTypeInfo<T> _type;

    public Store(string directory, string name, JsonTypeInfo<T> type)
    {
        _path = Path.Combine(directory, name + ".bin");
        _purpose = name;
        _box = new SecretBox(directory);
        _type = type;
    }

    public string FilePath => _path;

    public T Read()
    {
        var plain = _box.Read(_path, _purpose);
        return plain == null ? new T() : JsonSerializer.Deserialize(plain, _type) ?? new T();
    }

    /// <summary>Reads, lets <paramref name="change"/> modify, writes back; all under the lock.</summary>
    public async Task<TResult> UpdateAsync<TResult>(Func<T, TResult> change, CancellationToken ct)
    {
        await InProcess.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var fileLock = await LockAsync(ct).ConfigureAwait(false);
            var value = Read();
            var result = change(value);
            _box.Write(_path, _purpose, JsonSerializer.SerializeToUtf8Bytes(value, _type));
            return result;
        }
        finally
        {
            InProcess.Release();
        }
    }

    private async Task<FileStream> LockAsync(CancellationToken ct)
    {
        string lockPath = _path + ".lock";
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                // Another enroll process holds it for a few milliseconds.
                await Task.Delay(25, ct).ConfigureAwait(false);
            }
        }
    }
}
