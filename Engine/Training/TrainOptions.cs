namespace Ease.Engine.Training;

/// <summary>Arithmetic precision of the Gram matrix and its inversion.</summary>
public enum Precision
{
    Float32,
    Float64,
}

/// <summary>How the dense B is pruned before it is written.</summary>
public enum PruneMode
{
    /// <summary>Keep every off-diagonal weight.</summary>
    None,
    /// <summary>Per row, the K weights of largest magnitude (signs kept).</summary>
    TopK,
    /// <summary>One global magnitude threshold chosen so that the kept share of n² is the density.</summary>
    Density,
}

/// <summary>How B is computed.</summary>
public enum SolverKind
{
    /// <summary>Dense when the n x n matrix fits the memory budget, else sparse.</summary>
    Auto,
    /// <summary>Exact: one dense n x n inversion (n² memory, n³ time).</summary>
    Dense,
    /// <summary>Approximate: per-item ridge solves on each item's strongest co-occurrences (memory and time linear in n).</summary>
    Sparse,
}

/// <summary>Parameters of one EASE / EDLAE training run.</summary>
public sealed record TrainOptions
{
    /// <summary>The ridge λ added to the Gram diagonal.</summary>
    public double Lambda { get; init; } = 200;

    /// <summary>EDLAE dropout p in [0, 1): adds p/(1−p)·diag(G) to the ridge (Steck, NeurIPS 2020).</summary>
    public double Dropout { get; init; }

    public Precision Precision { get; init; } = Precision.Float32;

    public PruneMode Prune { get; init; } = PruneMode.None;

    /// <summary>Weights kept per row with <see cref="PruneMode.TopK"/>.</summary>
    public int PruneTopK { get; init; }

    /// <summary>Target density (non-zeros / n²) with <see cref="PruneMode.Density"/>.</summary>
    public double PruneDensity { get; init; }

    /// <summary>Worker threads; 0 = all cores.</summary>
    public int Threads { get; init; }

    /// <summary>How the written weights are stored: float32, or a compact float16 / bfloat16 / int8 (format v1.1, with 16-bit columns when the items fit).</summary>
    public Ease.Format.WeightType Values { get; init; } = Ease.Format.WeightType.Float32;

    /// <summary>Dense, sparse, or chosen by the memory budget.</summary>
    public SolverKind Solver { get; init; } = SolverKind.Dense;

    /// <summary>Sparse solver: candidates per item (its strongest co-occurrences); 0 picks a default from the pruning.</summary>
    public int Neighbors { get; init; }

    /// <summary>Sparse solver: co-occurrences kept per item for the local systems (at least <see cref="Neighbors"/>); 0 picks a default.</summary>
    public int GramNeighbors { get; init; }

    /// <summary>Sparse solver: how candidates are ranked.</summary>
    public Sparse.NeighborRanking Ranking { get; init; } = Sparse.NeighborRanking.Cosine;

    /// <summary>Memory budget in bytes for choosing and checking the solver; 0 = what the machine has available.</summary>
    public long MemoryLimitBytes { get; init; }

    /// <summary>Sparse solver: this process solves shard <see cref="ShardIndex"/> (0-based) of <see cref="ShardCount"/> and writes a part file.</summary>
    public int ShardIndex { get; init; }

    /// <summary>Number of shards; 1 = the whole model in one process.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>
    /// Candidates per target the sparse solver uses: <see cref="Neighbors"/>, or two thirds of the
    /// weights a row keeps (rounded up to a multiple of 32), at least 128. Measured on yelp2018 at
    /// 1% density (381 weights per row): 256 cosine-ranked candidates with lists of 1024 keep
    /// 100.2% of the dense model's NDCG@20 in 0.14 of its time.
    /// </summary>
    public int EffectiveNeighbors(int items)
    {
        if (Neighbors > 0)
            return Neighbors;
        double perRow = Prune switch
        {
            PruneMode.TopK => PruneTopK,
            PruneMode.Density => PruneDensity * items,
            _ => 384,
        };
        return (int)Math.Clamp(Math.Ceiling(perRow * 2 / 3 / 32) * 32, 128, 1 << 16);
    }

    /// <summary>
    /// Co-occurrences each item keeps for the entries of the local systems: <see cref="GramNeighbors"/>,
    /// or four times the candidates. Pairs outside both items' lists count as unknown.
    /// </summary>
    public int EffectiveGramNeighbors(int items) =>
        Math.Max(GramNeighbors > 0 ? GramNeighbors : 4 * EffectiveNeighbors(items), EffectiveNeighbors(items));

    /// <summary>A graph-filter family (optionally blended with EASE), or null for EASE itself.</summary>
    public Filters.FilterOptions? Filter { get; init; }

    /// <summary>The sequential family's parameters (<c>--family sequential</c>), or null.</summary>
    public Sequential.SequentialOptions? Sequential { get; init; }

    /// <summary>
    /// The history rule stored with an EASE or graph-filter model (<c>--history-decay</c>): histories are then scored
    /// oldest first, weighted by position. <see cref="Scoring.HistoryWeighting.None"/> (the default) keeps them sets.
    /// The sequential family's rule is its own decay and window.
    /// </summary>
    public Scoring.HistoryWeighting History { get; init; }

    /// <summary>The rule the model is written with.</summary>
    public Scoring.HistoryWeighting EffectiveHistory => Sequential?.History ?? History;

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Lambda) || Lambda < 0)
            throw new ArgumentException($"lambda must be a finite number >= 0, got {Lambda}");
        if (!double.IsFinite(Dropout) || Dropout < 0 || Dropout >= 1)
            throw new ArgumentException($"dropout must be in [0, 1), got {Dropout}");
        if (Prune == PruneMode.TopK && PruneTopK < 1)
            throw new ArgumentException($"prune-topk must be >= 1, got {PruneTopK}");
        if (Prune == PruneMode.Density && (!(PruneDensity > 0) || PruneDensity > 1))
            throw new ArgumentException($"prune-density must be in (0, 1], got {PruneDensity}");
        if (GramNeighbors < 0)
            throw new ArgumentException($"gram-neighbors must be >= 1, got {GramNeighbors}");
        if (Neighbors < 0)
            throw new ArgumentException($"neighbors must be >= 1, got {Neighbors}");
        if (MemoryLimitBytes < 0)
            throw new ArgumentException($"memory-limit must be >= 0, got {MemoryLimitBytes}");
        if (ShardCount < 1 || ShardIndex < 0 || ShardIndex >= ShardCount)
            throw new ArgumentException($"shard must be I/N with 0 <= I < N, got {ShardIndex}/{ShardCount}");
        if (ShardCount > 1 && Solver == SolverKind.Dense)
            throw new ArgumentException("--shard needs the sparse solver (--solver sparse)");
        if (Threads < 0)
            throw new ArgumentException($"threads must be >= 0, got {Threads}");
        if (History.IsOrdered)
            History.Validate();
        else if (History != default)
            throw new ArgumentException($"history decay must be in (0, 1], got {History.Decay}");
        if (Sequential is not null)
        {
            Sequential.Validate();
            if (Filter is not null)
                throw new ArgumentException("the sequential family is not a graph filter; give one family");
            if (Solver == SolverKind.Sparse || ShardCount > 1)
                throw new ArgumentException("the sequential family is solved densely; the sparse solver and --shard are EASE's");
        }
        if (Filter is not null)
        {
            Filter.Validate();
            if (Precision == Precision.Float64)
                throw new ArgumentException($"{Filter.DisplayName} is computed in f32; --precision f64 is EASE's");
            if (ShardCount > 1)
                throw new ArgumentException($"{Filter.DisplayName} is written in one process; --shard is EASE's");
            if (Solver == SolverKind.Sparse && Filter.SparseRefusal is { } refusal)
                throw new ArgumentException(refusal);
        }
    }
}
