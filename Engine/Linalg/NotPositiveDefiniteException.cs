namespace Ease.Engine.Linalg;

/// <summary>Raised when the Cholesky factorisation meets a pivot that is not strictly positive (or is NaN).</summary>
public sealed class NotPositiveDefiniteException : Exception
{
    public NotPositiveDefiniteException(int pivot, double pivotValue, int size)
        : base(
            $"The matrix ({size} x {size}) is not positive definite: Cholesky factorisation failed at pivot {pivot} " +
            $"(0-based row/item index) with pivot value {pivotValue:G6}. " +
            "Use a larger lambda (ridge regularisation on the diagonal), and check for empty items " +
            "(all-zero rows/columns in the Gram matrix) or NaN/Inf values in the input.")
    {
        Pivot = pivot;
        PivotValue = pivotValue;
    }

    /// <summary>0-based index of the failing diagonal element.</summary>
    public int Pivot { get; }

    /// <summary>The pivot value a_ii - sum_k l_ik^2 that was not strictly positive (may be NaN).</summary>
    public double PivotValue { get; }
}
