namespace Ease.Engine.Input;

/// <summary>Progress of <see cref="InteractionReader.Read(string, InputOptions, IProgress{ReadProgress}?, CancellationToken)"/>.</summary>
/// <param name="BytesRead">Bytes consumed from the file on disk (compressed bytes for a .gz file).</param>
/// <param name="TotalBytes">Size of the file on disk.</param>
/// <param name="LinesRead">Lines read so far.</param>
public readonly record struct ReadProgress(long BytesRead, long TotalBytes, long LinesRead)
{
    /// <summary>Fraction done in [0, 1]; 1 for an empty file.</summary>
    public double Fraction => TotalBytes <= 0 ? 1.0 : Math.Clamp((double)BytesRead / TotalBytes, 0.0, 1.0);
}
