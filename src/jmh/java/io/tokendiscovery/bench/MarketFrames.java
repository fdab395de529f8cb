package io.tokendiscovery.bench;

import io.tokendiscovery.simulator.SimulatedFrame;
import io.tokendiscovery.simulator.SimulatedMarket;
import io.tokendiscovery.simulator.SimulatorProperties;
import java.util.List;

/** Realistic frames for the microbenchmarks: the simulator's market with its default mix, fixed seed. */
final class MarketFrames {

    private MarketFrames() {}

    /** @return the JSON of the first {@code n} trades (curve, legacy and AMM shapes) of the market */
    static List<String> trades(int n) {
        return new SimulatedMarket(new SimulatorProperties(), 8L).nextFrames(n * 2).stream()
                .filter(SimulatedFrame::isTrade).limit(n).map(SimulatedFrame::json).toList();
    }
}
