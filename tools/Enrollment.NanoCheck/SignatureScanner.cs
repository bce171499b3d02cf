using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Enrollment.NanoCheck;

/// <summary>
/// Decodes every signature blob and records the constructs nanoFramework 1.x cannot run. A type
/// provider is the one way System.Reflection.Metadata walks a signature completely, so the checks hang
/// off its callbacks; the returned "type" is just a printable name for the finding.
/// </summary>
internal sealed class SignatureScanner : ISignatureTypeProvider<string, object?>
{
    private readonly MetadataReader _reader;
    private readonly List<string> _findings;
    private string _where = "";

    public SignatureScanner(MetadataReader reader, List<string> findings)
    {
        _reader = reader;
        _findings = findings;
    }

    public void Scan(string where, Action<SignatureScanner> decode)
    {
        _where = where;
        decode(this);
    }

    private void Flag(string what) => _findings.Add($"{_where}: {what}");

    public string GetArrayType(string elementType, ArrayShape shape)
    {
        Flag($"multi-dimensional array {elementType}[{new string(',', shape.Rank - 1)}]");
        return elementType + "[,]";
    }

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
    {
        Flag($"generic instantiation {genericType}<{string.Join(",", typeArguments)}>");
        return genericType + "<...>";
    }

    public string GetGenericMethodParameter(object? genericContext, int index)
    {
        Flag($"generic method parameter !!{index}");
        return "!!" + index;
    }

    public string GetGenericTypeParameter(object? genericContext, int index)
    {
        Flag($"generic type parameter !{index}");
        return "!" + index;
    }

    public string GetFunctionPointerType(MethodSignature<string> signature)
    {
        Flag("function pointer (unsafe code)");
        return "fnptr";
    }

    public string GetPointerType(string elementType)
    {
        Flag($"pointer type {elementType}* (unsafe code)");
        return elementType + "*";
    }

    public string GetByReferenceType(string elementType) => elementType + "&";
    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    public string GetPinnedType(string elementType)
    {
        Flag($"pinned local {elementType} (fixed statement, unsafe code)");
        return elementType;
    }

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
    public string GetSZArrayType(string elementType) => elementType + "[]";
    public string GetSentinelType() => "sentinel";

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
    {
        var t = reader.GetTypeDefinition(handle);
        return reader.GetString(t.Namespace) + "." + reader.GetString(t.Name);
    }

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
    {
        var t = reader.GetTypeReference(handle);
        return reader.GetString(t.Namespace) + "." + reader.GetString(t.Name);
    }

    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
}
