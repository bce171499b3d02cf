using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("Enrollment.Esp32")]
[assembly: AssemblyDescription("Enrollee firmware (OP-0006 enrollment) for ESP32 on .NET nanoFramework")]
[assembly: AssemblyProduct("Enrollment")]
[assembly: ComVisible(false)]
[assembly: AssemblyVersion("0.1.0.0")]
