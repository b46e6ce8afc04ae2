using Ease.Engine.Synthetic;

namespace Ease.Study.Deep;

/// <summary>
/// The layer stack [n → Hidden → code → Hidden → n] (Hidden = 0 drops both hidden layers). For the VAE
/// the encoder's last layer is twice the code width: the first half is μ, the second log σ². tanh follows
/// every layer except the output and, for the VAE, the μ / log σ² layer; the DAE's code keeps its tanh, as
/// in the reference's MultiDAE.forward_pass.
/// </summary>
internal sealed class DeepNetwork
{
    private DeepNetwork(int items, int latent, bool variational, DenseLayer[] layers, int codeLayer)
    {
        Items = items;
        Latent = latent;
        Variational = variational;
        Layers = layers;
        CodeLayer = codeLayer;
    }

    public int Items { get; }

    /// <summary>Width of the code z.</summary>
    public int Latent { get; }

    public bool Variational { get; }

    public DenseLayer[] Layers { get; }

    /// <summary>Index of the encoder's last layer (its output is the code, or μ | log σ² for the VAE).</summary>
    public int CodeLayer { get; }

    public long ParameterCount => Layers.Sum(l => (long)l.In * l.Out + l.Out);

    /// <summary>Builds the stack and draws the initial weights: Glorot-uniform W, truncated-normal(0.001) b, as the reference.</summary>
    public static DeepNetwork Create(int items, DeepOptions options, ref Xoshiro256 rng)
    {
        var layers = new List<DenseLayer>();
        int code = options.Variational ? 2 * options.Latent : options.Latent;
        if (options.Hidden > 0)
            layers.Add(new DenseLayer(items, options.Hidden, tanh: true));
        layers.Add(new DenseLayer(options.Hidden > 0 ? options.Hidden : items, code, tanh: !options.Variational));
        int codeLayer = layers.Count - 1;
        if (options.Hidden > 0)
            layers.Add(new DenseLayer(options.Latent, options.Hidden, tanh: true));
        layers.Add(new DenseLayer(options.Hidden > 0 ? options.Hidden : options.Latent, items, tanh: false));
        foreach (var layer in layers)
        {
            double limit = Math.Sqrt(6.0 / (layer.In + layer.Out));
            var w = layer.W.AsSpan();
            for (int i = 0; i < w.Length; i++)
                w[i] = (float)((2 * rng.NextDouble() - 1) * limit);
            var b = layer.B.AsSpan();
            for (int i = 0; i < b.Length; i++)
            {
                double g;
                do g = rng.NextGaussian(); while (Math.Abs(g) > 2); // truncated at two standard deviations
                b[i] = (float)(0.001 * g);
            }
        }
        return new DeepNetwork(items, options.Latent, options.Variational, [.. layers], codeLayer);
    }

    public DeepNetwork Clone() => new(Items, Latent, Variational, [.. Layers.Select(l => l.Clone())], CodeLayer);

    /// <summary>Width of layer l's input as stored: the code layer's successor reads z (Latent wide).</summary>
    public int InputWidth(int l) => Layers[l].In;
}
