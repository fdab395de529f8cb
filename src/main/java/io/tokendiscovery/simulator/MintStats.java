package io.tokendiscovery.simulator;

/**
 * Immutable snapshot of what the market has sent for one mint, replaced after every frame of that mint, so readers
 * on other threads always see a consistent set of values.
 *
 * @param mint            the mint
 * @param launchpad       {@code pump} or {@code bonk}
 * @param mayhem          {@code is_mayhem_mode} of the create
 * @param createSolAmount {@code solAmount} of the create (the creator's initial buy), 0 when none
 * @param lastFrame       last frame sent for this mint
 * @param lastPricedFrame last frame that carried reserves (create or curve trade); {@code null} for bonk mints
 * @param trades          buy and sell frames sent (all trade shapes, creates excluded)
 * @param buys            buy frames sent
 * @param sells           sell frames sent
 * @param volumeSol       sum of the SOL amounts of those trades (legacy frames included, although they do not
 *                        carry {@code solAmount}), creates excluded
 * @param onCurve         still trading on its bonding curve (not retired, not graduated)
 * @param migrated        a {@code migrate} frame has been sent
 */
public record MintStats(
        String mint,
        String launchpad,
        boolean mayhem,
        double createSolAmount,
        SimulatedFrame lastFrame,
        SimulatedFrame lastPricedFrame,
        long trades,
        long buys,
        long sells,
        double volumeSol,
        boolean onCurve,
        boolean migrated) {}
