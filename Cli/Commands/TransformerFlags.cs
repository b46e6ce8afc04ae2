using System.CommandLine;
using Ease.Study.Sequence;

namespace Ease.Cli.Commands;

/// <summary>The flags of the next-item transformers (sasrec, llm-decoder); --epochs, --patience, --eval-every and --seed are the study's own.</summary>
internal sealed class TransformerFlags
{
    private static readonly SequenceOptions Defaults = new();
    private readonly Option<int> _dim = new("--seq-dim") { Description = "sasrec, llm-decoder: model width d.", DefaultValueFactory = _ => Defaults.Dim, HelpName = "D" };
    private readonly Option<int> _blocks = new("--seq-blocks") { Description = "sasrec, llm-decoder: transformer blocks.", DefaultValueFactory = _ => Defaults.Blocks, HelpName = "N" };
    private readonly Option<int> _heads = new("--seq-heads") { Description = "sasrec, llm-decoder: attention heads.", DefaultValueFactory = _ => Defaults.Heads, HelpName = "N" };
    private readonly Option<int> _maxlen = new("--seq-maxlen") { Description = "sasrec, llm-decoder: the last items of a sequence read.", DefaultValueFactory = _ => Defaults.MaxLength, HelpName = "N" };
    private readonly Option<int> _hidden = new("--seq-hidden") { Description = "sasrec, llm-decoder: feed-forward width (0 = d, or 8/3·d for llm-decoder).", DefaultValueFactory = _ => 0, HelpName = "N" };
    private readonly Option<float> _dropout = new("--seq-dropout") { Description = "sasrec, llm-decoder: dropout.", DefaultValueFactory = _ => Defaults.Dropout, HelpName = "p" };
    private readonly Option<float> _lr = new("--seq-lr") { Description = "sasrec, llm-decoder: AdamW step size.", DefaultValueFactory = _ => Defaults.LearningRate, HelpName = "η" };
    private readonly Option<float> _decay = new("--seq-weight-decay") { Description = "sasrec, llm-decoder: AdamW decoupled weight decay.", DefaultValueFactory = _ => Defaults.WeightDecay, HelpName = "λ" };
    private readonly Option<float> _clip = new("--seq-clip") { Description = "sasrec, llm-decoder: gradient norm clip (0 = none).", DefaultValueFactory = _ => Defaults.ClipNorm, HelpName = "C" };
    private readonly Option<int> _batch = new("--seq-batch") { Description = "sasrec, llm-decoder: sequences per update.", DefaultValueFactory = _ => Defaults.BatchSize, HelpName = "N" };
    private readonly Option<int> _negatives = new("--seq-negatives") { Description = "sasrec, llm-decoder: sampled softmax over N uniform items (0 = full softmax).", DefaultValueFactory = _ => 0, HelpName = "N" };
    private readonly Option<bool> _untied = new("--seq-untied") { Description = "sasrec, llm-decoder: a separate output matrix instead of the item embeddings." };
    private readonly Option<int> _validUsers = new("--seq-valid-users") { Description = "sasrec, llm-decoder: training sequences whose last item picks the epoch (0 = keep the last epoch).", DefaultValueFactory = _ => Defaults.ValidationUsers, HelpName = "N" };
    private readonly Option<double> _minutes = new("--seq-max-minutes") { Description = "sasrec, llm-decoder: stop after the epoch that passes this many minutes (0 = no limit).", DefaultValueFactory = _ => Defaults.MaxMinutes, HelpName = "M" };

    public void AddTo(Command command)
    {
        foreach (Option o in (Option[])[_dim, _blocks, _heads, _maxlen, _hidden, _dropout, _lr, _decay, _clip, _batch, _negatives, _untied, _validUsers, _minutes])
            command.Options.Add(o);
    }

    public SequenceOptions Bind(ParseResult parse) => new()
    {
        Dim = parse.GetValue(_dim),
        Blocks = parse.GetValue(_blocks),
        Heads = parse.GetValue(_heads),
        MaxLength = parse.GetValue(_maxlen),
        Hidden = parse.GetValue(_hidden),
        Dropout = parse.GetValue(_dropout),
        LearningRate = parse.GetValue(_lr),
        WeightDecay = parse.GetValue(_decay),
        ClipNorm = parse.GetValue(_clip),
        BatchSize = parse.GetValue(_batch),
        Negatives = parse.GetValue(_negatives),
        Untied = parse.GetValue(_untied),
        ValidationUsers = parse.GetValue(_validUsers),
        MaxMinutes = parse.GetValue(_minutes),
    };
}
