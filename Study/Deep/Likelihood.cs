namespace Ease.Study.Deep;

/// <summary>
/// The likelihood the autoencoder's output layer is trained under (Liang et al. 2018, section 2.1).
/// The network and its input are the same for all three; only the loss on the logits differs.
/// </summary>
public enum Likelihood
{
    /// <summary>Σ x·log softmax(logits): one multinomial over all items per user (Mult-VAE, Mult-DAE).</summary>
    Multinomial,

    /// <summary>½ Σ (x − logits)²: squared error, all cells weighted equally (the paper's Gaussian ablation with c = 1).</summary>
    Gaussian,

    /// <summary>Σ x·log σ(logits) + (1 − x)·log(1 − σ(logits)): independent Bernoullis (the logistic ablation).</summary>
    Logistic,
}
