namespace Ease.Engine;

/// <summary>
/// Marks exceptions that describe bad input (a malformed row, a matrix that is not positive
/// definite) rather than a bug; front ends report their message alone, as a data error.
/// </summary>
public interface IDataError
{
}
