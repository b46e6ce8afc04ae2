namespace Ease.Study.Deep;

/// <summary>
/// KL weight of the VAE's update number <c>step</c> (0-based, counted before the update as the reference's
/// update_count): β = min(cap, step / totalSteps), linear annealing from 0 (section 2.2.2 of the paper);
/// totalSteps = 0 means β = cap throughout.
/// </summary>
public static class AnnealSchedule
{
    public static float Beta(long step, float cap, int totalSteps) =>
        totalSteps > 0 ? (float)Math.Min(cap, (double)step / totalSteps) : cap;
}
