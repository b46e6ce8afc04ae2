using Ease.Tests.Scoring;

namespace Ease.Tests.Evaluation;

/// <summary>A theory skipped (not failed) when the numpy peer, python3 with numpy/scipy or the shared data are absent.</summary>
internal sealed class NumpyCrossCheckTheoryAttribute : TheoryAttribute
{
    public NumpyCrossCheckTheoryAttribute()
    {
        if (NumpyCrossCheck.SkipReason is string why)
            Skip = why;
    }
}
