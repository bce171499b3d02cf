namespace NanoCheck.Violations
{
    // Each member below uses one construct the scanner must report.
    internal sealed class Box<T>                       // GenericParam row
    {
        public T? Value;
    }

    internal static class Uses
    {
        // Nullable<T> (int?) needs no sample: nanoFramework's mscorlib 1.17.11 does not define
        // System.Nullable`1, so the compile step itself fails on it (CS0518) before the scan runs.
        public static int[,] Grid = new int[2, 2];     // multi-dimensional array
        public static System.Action<int>? Callback;    // Action<T>: generic TypeRef + instantiation

        public static T Identity<T>(T x) { return x; } // generic method definition

        public static int CallGeneric() { return Identity(3); } // MethodSpec row

        public static unsafe int Pointer(int* p) { return *p; } // pointer type
    }
}
