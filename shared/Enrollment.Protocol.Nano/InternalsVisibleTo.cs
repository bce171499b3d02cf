using System.Runtime.CompilerServices;

// The device self-test (firmware/Enrollment.SelfTest) times Field25519, the unit of the device cost model.
// The host project lists its friends as InternalsVisibleTo items; this device twin generates no assembly
// attributes (build/NanoDevice.props), so it states its one friend here.
[assembly: InternalsVisibleTo("Enrollment.SelfTest")]
