using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Ease.Engine.Input;

/// <summary>Throw sites kept out of hot loops (and out of stack traces), with the offending values in the message.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn, StackTraceHidden]
    public static void ThrowIndexOutOfRange(string name, int value, int count) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, {count}), got {value}.");

    [DoesNotReturn, StackTraceHidden]
    public static void ThrowBuilderUsed() =>
        throw new InvalidOperationException("InteractionSetBuilder.Build() was already called; create a new builder.");

    [DoesNotReturn, StackTraceHidden]
    public static void ThrowTooManyInteractions(long count) =>
        throw new InvalidOperationException($"Too many interactions: {count:N0} reached the array limit of {Array.MaxLength:N0}.");

    [DoesNotReturn, StackTraceHidden]
    public static void ThrowFormat(string path, long lineNumber, string? lineText, string reason, Exception? inner = null) =>
        throw new InputFormatException(path, lineNumber, lineText, reason, inner);
}
