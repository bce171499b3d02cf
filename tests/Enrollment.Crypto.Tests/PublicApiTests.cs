using System.Reflection;
using Enrollment.Protocol.Crypto;

namespace Enrollment.Crypto.Tests;

/// <summary>
/// The public surface of the symmetric primitives, listed member by member, so any change to what the
/// firmware, service and tools code against shows up in review (STYLE.md: a public API is a promise).
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData(typeof(FixedTime),
        "static Boolean Equals(Byte[], Int32, Byte[], Int32, Int32)",
        "static Boolean IsZero(Byte[], Int32, Int32)",
        "static Void Zero(Byte[])",
        "static Void Zero(Byte[], Int32, Int32)")]
    [InlineData(typeof(Sha256),
        "const Int32 BlockSize = 64", "const Int32 HashSize = 32", ".ctor()",
        "static Byte[] Hash(Byte[])", "static Void Hash(Byte[], Int32, Int32, Byte[], Int32)",
        "Void Final(Byte[], Int32)", "Void Reset()", "Void Update(Byte[], Int32, Int32)")]
    [InlineData(typeof(Sha512),
        "const Int32 BlockSize = 128", "const Int32 HashSize = 64", ".ctor()",
        "static Byte[] Hash(Byte[])", "static Void Hash(Byte[], Int32, Int32, Byte[], Int32)",
        "Void Final(Byte[], Int32)", "Void Reset()", "Void Update(Byte[], Int32, Int32)")]
    [InlineData(typeof(HmacSha256),
        "const Int32 MacSize = 32", ".ctor()",
        "static Byte[] Compute(Byte[], Byte[])", "static Void Compute(Byte[], Int32, Int32, Byte[], Int32, Int32, Byte[], Int32)",
        "Void Clear()", "Void Final(Byte[], Int32)", "Void Init(Byte[], Int32, Int32)", "Void Update(Byte[], Int32, Int32)")]
    [InlineData(typeof(HkdfSha256),
        "const Int32 HashSize = 32", "const Int32 MaxOutputSize = 8160", ".ctor()",
        "static Byte[] DeriveBytes(Byte[], Byte[], Byte[], Int32)",
        "Void Expand(Byte[], Int32, Int32, Byte[], Int32, Int32, Byte[], Int32, Int32)",
        "Void Extract(Byte[], Int32, Int32, Byte[], Int32, Int32, Byte[], Int32)")]
    [InlineData(typeof(ChaCha20Poly1305),
        "const Int32 KeySize = 32", "const Int32 NonceSize = 12", "const Int32 TagSize = 16", ".ctor()",
        "static Byte[] Open(Byte[], Byte[], Byte[], Byte[])", "static Byte[] Seal(Byte[], Byte[], Byte[], Byte[])",
        "Boolean TryDecrypt(Byte[], Int32, Byte[], Int32, Byte[], Int32, Int32, Byte[], Int32, Int32, Byte[], Int32)",
        "Void Encrypt(Byte[], Int32, Byte[], Int32, Byte[], Int32, Int32, Byte[], Int32, Int32, Byte[], Int32)")]
    public void PublicSurface_IsExactlyTheContract(Type type, params string[] expected)
    {
        Assert.True(type.IsPublic && type.IsSealed);
        var actual = new List<string>();
        foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            switch (member)
            {
                case FieldInfo { IsLiteral: true } field:
                    actual.Add("const " + field.FieldType.Name + " " + field.Name + " = " + field.GetRawConstantValue());
                    break;
                case ConstructorInfo ctor:
                    actual.Add(".ctor(" + string.Join(", ", ctor.GetParameters().Select(p => p.ParameterType.Name)) + ")");
                    break;
                case MethodInfo method:
                    actual.Add((method.IsStatic ? "static " : string.Empty) + method.ReturnType.Name + " " + method.Name
                        + "(" + string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name)) + ")");
                    break;
                default:
                    actual.Add("unexpected: " + member);
                    break;
            }
        }

        Assert.Equal(expected.OrderBy(s => s, StringComparer.Ordinal), actual.OrderBy(s => s, StringComparer.Ordinal));
    }
}
