using System.Diagnostics;

namespace Enrollment.Protocol.Crypto
{
    /// <summary>
    /// Counts field multiplications and squarings, for the cost model of the interpreted device (each
    /// multiplication is most of the work of a scalar multiplication there). The Count* calls are
    /// [Conditional("FIELD_OP_COUNT")]: in a normal build the compiler removes the call sites, so counting
    /// costs nothing; only a build that defines FIELD_OP_COUNT counts (tests/Enrollment.Benchmarks compiles
    /// a copy of these sources that way for its --count mode).
    /// Not thread safe by design: counts are read by a single-threaded measurement.
    /// </summary>
    internal static class FieldOpCounter
    {
        /// <summary>Full multiplications (Field25519.Mul).</summary>
        internal static long Multiplications;

        /// <summary>Squarings (Square and SquareDouble).</summary>
        internal static long Squarings;

        /// <summary>Multiplications by a small constant (121666, 9).</summary>
        internal static long SmallMultiplications;

        /// <summary>True when this build counts (FIELD_OP_COUNT defined).</summary>
        internal static bool Enabled
        {
            get
            {
#if FIELD_OP_COUNT
                return true;
#else
                return false;
#endif
            }
        }

        internal static void Reset()
        {
            Multiplications = 0;
            Squarings = 0;
            SmallMultiplications = 0;
        }

        [Conditional("FIELD_OP_COUNT")]
        internal static void CountMul()
        {
            Multiplications++;
        }

        [Conditional("FIELD_OP_COUNT")]
        internal static void CountSquare()
        {
            Squarings++;
        }

        [Conditional("FIELD_OP_COUNT")]
        internal static void CountMulSmall()
        {
            SmallMultiplications++;
        }
    }
}
