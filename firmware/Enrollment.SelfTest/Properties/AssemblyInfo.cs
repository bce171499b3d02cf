using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("Enrollment.SelfTest")]
[assembly: AssemblyDescription("Enrollment self-test: crypto known answers, timings, one in-memory enrollment")]
[assembly: AssemblyProduct("Enrollment")]
[assembly: ComVisible(false)]
[assembly: AssemblyVersion("0.1.0.0")]
