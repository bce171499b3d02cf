namespace Enrollment.Protocol.Messages
{
    /// <summary>
    /// The enrollee's optional pet name (docs/protocol.md "Identifiers"): 1..64 bytes of UTF-8 text without
    /// control characters. It is a label for people, never an identifier: two devices may share one.
    /// </summary>
    public static class PetName
    {
        /// <summary>Largest pet name, in UTF-8 bytes.</summary>
        public const int MaxBytes = 64;

        /// <summary>True when the bytes are an acceptable pet name.</summary>
        public static bool IsValid(byte[] buffer, int offset, int count)
        {
            Wire.CheckRange(buffer, offset, count);
            return count >= 1 && count <= MaxBytes && Utf8.IsValidText(buffer, offset, count);
        }

        /// <summary>True when the string, encoded as UTF-8, is an acceptable pet name.</summary>
        public static bool IsValid(string? name)
        {
            if (name == null || name.Length == 0 || name.Length > MaxBytes)
            {
                return false;
            }

            byte[] bytes;
            try
            {
                bytes = Utf8.GetBytes(name);
            }
            catch (System.ArgumentException)
            {
                return false;
            }

            return IsValid(bytes, 0, bytes.Length);
        }
    }
}
