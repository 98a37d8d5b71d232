using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace ProxyProtocol.Tests.Infrastructure;

/// <summary>
/// Describes the public surface of an assembly as sorted text, one line per type and per visible member,
/// with full signatures (parameter modifiers, defaults, nullable annotations), so that any change to the
/// API shows up as a line-level diff against the checked-in PublicAPI.txt.
/// </summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<Type, string> s_keywords = new()
    {
        [typeof(void)] = "void",
        [typeof(bool)] = "bool",
        [typeof(byte)] = "byte",
        [typeof(sbyte)] = "sbyte",
        [typeof(char)] = "char",
        [typeof(short)] = "short",
        [typeof(ushort)] = "ushort",
        [typeof(int)] = "int",
        [typeof(uint)] = "uint",
        [typeof(long)] = "long",
        [typeof(ulong)] = "ulong",
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(decimal)] = "decimal",
        [typeof(string)] = "string",
        [typeof(object)] = "object",
        [typeof(nint)] = "nint",
        [typeof(nuint)] = "nuint",
    };

    public static string Build(Assembly assembly)
    {
        NullabilityInfoContext nullability = new();
        List<string> lines = [];
        foreach (Type type in assembly.GetExportedTypes())
        {
            lines.Add(DescribeType(type, nullability));
            if (typeof(Delegate).IsAssignableFrom(type))
            {
                continue; // its signature is on the type's line; the rest is runtime plumbing
            }

            foreach (MemberInfo member in type.GetMembers(Declared))
            {
                string? line = IsVisible(type, member) ? DescribeMember(type, member, nullability) : null;
                if (line is not null)
                {
                    lines.Add(line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines) + "\n";
    }

    private static string DescribeType(Type type, NullabilityInfoContext nullability)
    {
        List<string> kind = [];
        if (type.IsEnum)
        {
            kind.Add(type.IsDefined(typeof(FlagsAttribute)) ? "[Flags] enum" : "enum");
        }
        else if (type.IsInterface)
        {
            kind.Add("interface");
        }
        else if (typeof(Delegate).IsAssignableFrom(type))
        {
            MethodInfo invoke = type.GetMethod("Invoke")!;
            return $"{DisplayName(type)} [delegate] ({FormatParameters(invoke, nullability)}) -> {FormatType(invoke.ReturnType, nullability.Create(invoke.ReturnParameter))}";
        }
        else if (type.IsValueType)
        {
            kind.Add(string.Join(' ', new[]
            {
                type.IsDefined(typeof(IsReadOnlyAttribute)) ? "readonly" : null,
                type.IsByRefLike ? "ref" : null,
                "struct",
            }.Where(s => s is not null)));
        }
        else
        {
            kind.Add(type.IsAbstract && type.IsSealed ? "static class" : type.IsAbstract ? "abstract class" : type.IsSealed ? "sealed class" : "class");
        }

        List<string> bases = [];
        if (type.IsEnum)
        {
            bases.Add(FormatType(Enum.GetUnderlyingType(type), null));
        }
        else if (type.BaseType is Type baseType && baseType != typeof(object) && baseType != typeof(ValueType) && !type.IsInterface)
        {
            bases.Add(FormatType(baseType, null));
        }

        if (!type.IsEnum)
        {
            bases.AddRange(type.GetInterfaces().Where(i => i.IsVisible).Select(i => FormatType(i, null)).Order(StringComparer.Ordinal));
        }

        return $"{DisplayName(type)} [{string.Join(' ', kind)}]{(bases.Count > 0 ? " : " + string.Join(", ", bases) : string.Empty)}";
    }

    private static bool IsVisible(Type type, MemberInfo member)
    {
        // Protected members are part of the surface only where a subclass can exist.
        bool inheritable = !type.IsSealed && !type.IsValueType;
        return member switch
        {
            MethodBase m => m.IsPublic || (inheritable && (m.IsFamily || m.IsFamilyOrAssembly)),
            FieldInfo f => f.IsPublic || (inheritable && (f.IsFamily || f.IsFamilyOrAssembly)),
            PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => IsVisible(type, a)),
            EventInfo e => e.AddMethod is not null && IsVisible(type, e.AddMethod),
            _ => false, // nested types are listed by GetExportedTypes
        };
    }

    private static string? DescribeMember(Type type, MemberInfo member, NullabilityInfoContext nullability)
    {
        string owner = DisplayName(type);
        switch (member)
        {
            case FieldInfo field when type.IsEnum:
                return field.IsStatic ? $"{owner}.{field.Name} = {Convert.ToUInt64(field.GetRawConstantValue(), CultureInfo.InvariantCulture)}" : null;

            case FieldInfo field:
                string fieldModifiers = field.IsLiteral ? "const" : field.IsStatic ? (field.IsInitOnly ? "static readonly" : "static") : (field.IsInitOnly ? "readonly" : string.Empty);
                string value = field.IsLiteral ? " = " + FormatValue(field.GetRawConstantValue(), field.FieldType) : string.Empty;
                return $"{owner}.{field.Name} -> {FormatType(field.FieldType, nullability.Create(field))}{value}{Modifiers(fieldModifiers)}";

            case PropertyInfo property:
                List<string> accessors = [];
                if (property.GetMethod is MethodInfo getter && IsVisible(type, getter))
                {
                    accessors.Add("get;");
                }

                if (property.SetMethod is MethodInfo setter && IsVisible(type, setter))
                {
                    bool init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                    accessors.Add(init ? "init;" : "set;");
                }

                ParameterInfo[] index = property.GetIndexParameters();
                string indexer = index.Length == 0 ? string.Empty : $"[{string.Join(", ", index.Select(p => FormatParameter(p, nullability, false)))}]";
                MethodInfo accessor = property.GetMethod ?? property.SetMethod!;
                return $"{owner}.{property.Name}{indexer} {{ {string.Join(' ', accessors)} }} -> {FormatType(property.PropertyType, nullability.Create(property))}{Modifiers(MethodModifiers(accessor))}";

            case EventInfo @event:
                return $"{owner}.{@event.Name} -> {FormatType(@event.EventHandlerType!, nullability.Create(@event))}{Modifiers("event " + MethodModifiers(@event.AddMethod!))}";

            case ConstructorInfo constructor:
                return constructor.IsStatic ? null : $"{owner}.ctor({FormatParameters(constructor, nullability)})";

            case MethodInfo method when method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal):
                return null; // property and event accessors

            case MethodInfo method:
                string generic = method.IsGenericMethodDefinition ? $"<{string.Join(", ", method.GetGenericArguments().Select(a => a.Name))}>" : string.Empty;
                string returns = FormatType(method.ReturnType, nullability.Create(method.ReturnParameter));
                return $"{owner}.{method.Name}{generic}({FormatParameters(method, nullability)}) -> {returns}{Modifiers(MethodModifiers(method))}";

            default:
                return null;
        }
    }

    private static string MethodModifiers(MethodInfo method)
    {
        List<string> modifiers = [];
        if (method.IsStatic)
        {
            modifiers.Add("static");
        }

        if (method.IsAbstract)
        {
            modifiers.Add("abstract");
        }
        else if (method.IsVirtual && !method.IsFinal)
        {
            modifiers.Add(method.GetBaseDefinition() != method ? "override" : "virtual");
        }
        else if (method.IsVirtual && method.GetBaseDefinition() != method)
        {
            modifiers.Add("sealed override");
        }

        if (method.IsFamily || method.IsFamilyOrAssembly)
        {
            modifiers.Add("protected");
        }

        return string.Join(' ', modifiers);
    }

    private static string Modifiers(string modifiers) => string.IsNullOrWhiteSpace(modifiers) ? string.Empty : $" [{modifiers.Trim()}]";

    private static string FormatParameters(MethodBase method, NullabilityInfoContext nullability)
    {
        bool extension = method.IsDefined(typeof(ExtensionAttribute));
        return string.Join(", ", method.GetParameters().Select((p, i) => FormatParameter(p, nullability, extension && i == 0)));
    }

    private static string FormatParameter(ParameterInfo parameter, NullabilityInfoContext nullability, bool isThis)
    {
        StringBuilder text = new();
        if (isThis)
        {
            text.Append("this ");
        }

        if (parameter.IsDefined(typeof(ParamArrayAttribute)))
        {
            text.Append("params ");
        }

        if (parameter.ParameterType.IsByRef)
        {
            text.Append(parameter.IsOut ? "out " : parameter.IsDefined(typeof(IsReadOnlyAttribute)) ? "in " : "ref ");
        }

        text.Append(FormatType(parameter.ParameterType, nullability.Create(parameter))).Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            text.Append(" = ").Append(FormatValue(parameter.RawDefaultValue, parameter.ParameterType));
        }

        return text.ToString();
    }

    private static string FormatValue(object? value, Type type)
    {
        Type underlying = type.IsByRef ? type.GetElementType()! : type;
        underlying = Nullable.GetUnderlyingType(underlying) ?? underlying;
        return value switch
        {
            null when underlying.IsValueType => "default",
            null => "null",
            string s => $"\"{s}\"",
            bool b => b ? "true" : "false",
            _ when underlying.IsEnum => $"{TypeName(underlying)}.{Enum.ToObject(underlying, value)}",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
    }

    private static string FormatType(Type type, NullabilityInfo? nullability)
    {
        if (type.IsByRef)
        {
            return FormatType(type.GetElementType()!, nullability?.ElementType ?? nullability);
        }

        if (type.IsPointer)
        {
            return FormatType(type.GetElementType()!, null) + "*";
        }

        if (type.IsArray)
        {
            return FormatType(type.GetElementType()!, nullability?.ElementType) + "[" + new string(',', type.GetArrayRank() - 1) + "]" + NullableSuffix(type, nullability);
        }

        if (type.IsGenericParameter)
        {
            return type.Name; // an unconstrained T reads as nullable whether or not the source says T?
        }

        if (Nullable.GetUnderlyingType(type) is Type inner)
        {
            return FormatType(inner, null) + "?";
        }

        if (s_keywords.TryGetValue(type, out string? keyword))
        {
            return keyword + NullableSuffix(type, nullability);
        }

        string name = TypeName(type.IsGenericType ? type.GetGenericTypeDefinition() : type);
        if (type.IsGenericType)
        {
            Type[] arguments = type.GetGenericArguments();
            NullabilityInfo[]? argumentNullability = nullability?.GenericTypeArguments;
            name += "<" + string.Join(", ", arguments.Select((a, i) => FormatType(a, argumentNullability is { Length: > 0 } ? argumentNullability[i] : null))) + ">";
        }

        return name + NullableSuffix(type, nullability);
    }

    private static string NullableSuffix(Type type, NullabilityInfo? nullability) =>
        !type.IsValueType && nullability?.ReadState == NullabilityState.Nullable ? "?" : string.Empty;

    /// <summary>The name of a type as declared: with its generic parameters and their variance.</summary>
    private static string DisplayName(Type type)
    {
        if (!type.IsGenericTypeDefinition)
        {
            return TypeName(type);
        }

        IEnumerable<string> parameters = type.GetGenericArguments().Select(p =>
            (p.GenericParameterAttributes & GenericParameterAttributes.VarianceMask) switch
            {
                GenericParameterAttributes.Contravariant => "in " + p.Name,
                GenericParameterAttributes.Covariant => "out " + p.Name,
                _ => p.Name,
            });
        return $"{TypeName(type)}<{string.Join(", ", parameters)}>";
    }

    private static string TypeName(Type type)
    {
        string name = type.Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        return type.DeclaringType is Type declaring ? $"{TypeName(declaring)}.{name}" : $"{type.Namespace}.{name}";
    }
}
