namespace Ease.Study.Deep;

/// <summary>
/// One affine layer y = x·W + b, W stored In x Out row-major (as the reference's tf.matmul(h, w)),
/// optionally followed by tanh.
/// </summary>
internal sealed class DenseLayer
{
    public DenseLayer(int inputs, int outputs, bool tanh)
    {
        In = inputs;
        Out = outputs;
        Tanh = tanh;
        W = Pinned.Floats((long)inputs * outputs);
        B = Pinned.Floats(outputs);
    }

    public int In { get; }

    public int Out { get; }

    public bool Tanh { get; }

    /// <summary>Weights, In x Out row-major.</summary>
    public float[] W { get; }

    /// <summary>Biases, Out.</summary>
    public float[] B { get; }

    public DenseLayer Clone()
    {
        var c = new DenseLayer(In, Out, Tanh);
        W.AsSpan().CopyTo(c.W);
        B.AsSpan().CopyTo(c.B);
        return c;
    }
}
