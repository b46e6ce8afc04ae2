using System.Globalization;
using Ease.Engine.Evaluation;
using Ease.Engine.Input;

namespace Ease.Study.Sequence;

/// <summary>Trains sasrec or llm-decoder on the ordered training sequences and evaluates it through the study's evaluator.</summary>
internal static class SequenceStudy
{
    public static StudyResult Run(StudyVariant v, InteractionSet train, InteractionSet history, InteractionSet heldout, NextItemStudyOptions o,
        IProgress<StudyProgress>? progress, CancellationToken ct)
    {
        SequenceOptions options = o.Transformer with
        {
            Architecture = v.Kind == VariantKind.LlmDecoder ? SequenceArchitecture.LlmDecoder : SequenceArchitecture.SasRec,
            Threads = o.Threads,
        };
        var sequences = new int[train.UserCount][];
        for (int u = 0; u < train.UserCount; u++)
            sequences[u] = train.SequenceOf(u).ToArray();
        progress?.Report(new StudyProgress(v.Name, "train", 0));
        (SequenceModel model, SequenceTraining r) = SequenceTrainer.Train(sequences, train.ItemCount, options, o.Log, ct);
        using (model)
        {
            progress?.Report(new StudyProgress(v.Name, "score", 0));
            EvaluationReport report = Evaluator.Evaluate(model, history, heldout, o.Evaluation);
            string note = string.Create(CultureInfo.InvariantCulture,
                $"d {options.Dim}, {options.Blocks} blocks, {options.Heads} heads, maxlen {options.MaxLength}, dropout {options.Dropout}, "
                + $"{(options.Negatives > 0 ? $"sampled softmax ({options.Negatives})" : "full softmax")}, {(options.Untied ? "untied" : "tied")}; "
                + $"epoch {r.BestEpoch} of {r.Epochs} (valid HR@10 {r.ValidHr:0.0000}, NDCG@10 {r.ValidNdcg:0.0000}); "
                + $"{r.SecondsPerEpoch:0.0} s/epoch, {r.Seconds / 60:0.0} min, {r.Gflops:0.0} GFLOP/s against a GEMM peak of {r.PeakGflops:0.0}");
            return new StudyResult(v, model.Network.Count, r.Seconds, report, note) { OwnSeconds = r.Seconds, Epoch = r.BestEpoch };
        }
    }
}
