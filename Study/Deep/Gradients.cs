namespace Ease.Study.Deep;

/// <summary>∂loss/∂W and ∂loss/∂b of every layer, accumulated by <see cref="BatchPass.Backward"/> and cleared by the optimizer step.</summary>
internal sealed class Gradients
{
    public Gradients(DeepNetwork network)
    {
        W = [.. network.Layers.Select(l => Pinned.Floats((long)l.In * l.Out))];
        B = [.. network.Layers.Select(l => Pinned.Floats(l.Out))];
    }

    public float[][] W { get; }

    public float[][] B { get; }
}
