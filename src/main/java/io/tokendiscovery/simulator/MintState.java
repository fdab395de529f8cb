package io.tokendiscovery.simulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * One simulated mint as the market evolves it: its curve (and pool once graduated), heat, holders' positions and
 * running counts, from which {@link MintStats} snapshots are published. Market thread only.
 */
final class MintState {

    /** A wallet's position in the mint; {@code index} is its slot in {@link #holders}. */
    static final class Holder {
        final String wallet;
        double balance;
        int index;

        Holder(String wallet) {
            this.wallet = wallet;
        }
    }

    final String mint;
    final String curveKey;
    final String launchpad;
    final boolean mayhem;
    final BondingCurve curve = new BondingCurve();
    BondingCurve amm;
    double heat;
    ArrayList<Holder> holders = new ArrayList<>();
    Map<String, Holder> holderByWallet = new HashMap<>();
    double createSol;
    long trades;
    long buys;
    long sells;
    double volumeSol;
    boolean onCurve = true;
    boolean migrated;
    SimulatedFrame lastFrame;
    SimulatedFrame lastPriced;

    MintState(String mint, String curveKey, String launchpad, boolean mayhem) {
        this.mint = mint;
        this.curveKey = curveKey;
        this.launchpad = launchpad;
        this.mayhem = mayhem;
    }

    /** Adds tokens to a wallet's position; returns the new balance. */
    double addHolding(String wallet, double tokens) {
        Holder h = holderByWallet.get(wallet);
        if (h == null) {
            h = new Holder(wallet);
            h.index = holders.size();
            holders.add(h);
            holderByWallet.put(wallet, h);
        }
        h.balance = BondingCurve.roundTokens(h.balance + tokens);
        return h.balance;
    }

    /** Removes sold tokens from a position; returns the new balance (0 drops the holder). */
    double reduceHolding(Holder h, double tokens) {
        double left = BondingCurve.roundTokens(h.balance - tokens);
        if (left < 0.000001) {
            Holder last = holders.remove(holders.size() - 1);
            if (last != h) {
                holders.set(h.index, last);
                last.index = h.index;
            }
            holderByWallet.remove(h.wallet);
            h.balance = 0;
            return 0;
        }
        h.balance = left;
        return left;
    }

    void countTrade(boolean buy, double sol) {
        trades++;
        if (buy) {
            buys++;
        } else {
            sells++;
        }
        volumeSol += sol;
    }

    void dropHolders() {
        holders = new ArrayList<>(0);
        holderByWallet = new HashMap<>(0);
    }

    /** The snapshot readers see. */
    MintStats snapshot() {
        return new MintStats(mint, launchpad, mayhem, createSol, lastFrame, lastPriced, trades, buys, sells, volumeSol,
                onCurve, migrated);
    }
}
