package io.tokendiscovery.simulator;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the local PumpPortal simulator, under {@code tokendiscovery.simulator.*}. Every field can be set by an
 * environment variable through relaxed binding, e.g. {@code TOKENDISCOVERY_SIMULATOR_FRAMESPERSECOND=500}. The
 * table with meanings is in docs/simulator.md.
 */
@ConfigurationProperties("tokendiscovery.simulator")
public class SimulatorProperties {

    /**
     * Whether to start the simulator. {@code null} (not set) means automatic: on exactly when
     * {@code tokendiscovery.pumpportal.url} is blank, so a zero-setup run has a feed to connect to.
     */
    private Boolean enabled;

    /** Interface the WebSocket server binds to. Keep it on loopback unless something remote must connect. */
    private String host = "127.0.0.1";

    /** TCP port of the WebSocket server; 0 picks a free port (read it back from {@code url()}). */
    private int port = 0;

    /** HTTP path that accepts WebSocket upgrades; every other path gets 404. The real feed uses /api/data. */
    private String path = "/api/data";

    /**
     * Market frames (creates, trades, migrations) generated per second, paced by a 10 ms timer with the fraction
     * carried over; anything from 0 (only {@code emitNow}) to about 50,000 works.
     */
    private double framesPerSecond = 20;

    /** Seed of the market's random generator; the same seed gives the same frame sequence. {@code null} = random. */
    private Long seed;

    /** Share of market frames that are token creations (0..1). */
    private double createShare = 0.05;

    /** Most mints trading on their curve at once; when exceeded the coldest (least recently active) one retires. */
    private int maxActiveMints = 500;

    /**
     * Zipf exponent of how trades spread over the active mints ranked by heat (rank 1 busiest): the chance that
     * rank r trades is proportional to r^-zipfExponent.
     */
    private double zipfExponent = 1.1;

    /** Send every trade to every connection regardless of subscriptions and of the api-key (benchmark mode). */
    private boolean firehose = false;

    /**
     * {@code api-key} query values treated as funded. A connection without one of them gets the funded-key refusal
     * notice on subscribeTokenTrade/subscribeAccountTrade and no trades.
     */
    private List<String> apiKeys = new ArrayList<>(List.of("simulator-dev-key"));

    /** Share of curve trades sent in the 2024 shape, without {@code solAmount} and {@code pool} (0..1). */
    private double legacyShare = 0.01;

    /** Share of creates in the "bonk" launchpad shape (solInPool/tokensInPool, no bonding-curve fields) (0..1). */
    private double bonkShare = 0.01;

    /** Share of pump creates sent without {@code name}, {@code symbol} and {@code uri} (0..1). */
    private double bareCreateShare = 0.02;

    /** Share of pump creates with {@code is_mayhem_mode: true} (2 B supply; marketCapSol still uses 1 B) (0..1). */
    private double mayhemShare = 0.05;

    /** Probability that a trade is a buy (0..1); a sell is only possible when the mint has a holder. */
    private double buyBias = 0.6;

    /** Mean SOL amount of a trade (log-normal, heavy tailed); creator initial buys average twice that. */
    private double meanTradeSol = 0.5;

    /**
     * How many mints' statistics the market keeps for {@code lastPricedFrame(mint)} and friends. Mints still on
     * their curve are always kept; beyond this count the longest-retired ones are forgotten, which bounds memory in
     * long benchmarks (about 1 KB per mint).
     */
    private int retainedMintStats = 100_000;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public double getFramesPerSecond() {
        return framesPerSecond;
    }

    public void setFramesPerSecond(double framesPerSecond) {
        this.framesPerSecond = framesPerSecond;
    }

    public Long getSeed() {
        return seed;
    }

    public void setSeed(Long seed) {
        this.seed = seed;
    }

    public double getCreateShare() {
        return createShare;
    }

    public void setCreateShare(double createShare) {
        this.createShare = createShare;
    }

    public int getMaxActiveMints() {
        return maxActiveMints;
    }

    public void setMaxActiveMints(int maxActiveMints) {
        this.maxActiveMints = maxActiveMints;
    }

    public double getZipfExponent() {
        return zipfExponent;
    }

    public void setZipfExponent(double zipfExponent) {
        this.zipfExponent = zipfExponent;
    }

    public boolean isFirehose() {
        return firehose;
    }

    public void setFirehose(boolean firehose) {
        this.firehose = firehose;
    }

    public List<String> getApiKeys() {
        return apiKeys;
    }

    public void setApiKeys(List<String> apiKeys) {
        this.apiKeys = apiKeys;
    }

    public double getLegacyShare() {
        return legacyShare;
    }

    public void setLegacyShare(double legacyShare) {
        this.legacyShare = legacyShare;
    }

    public double getBonkShare() {
        return bonkShare;
    }

    public void setBonkShare(double bonkShare) {
        this.bonkShare = bonkShare;
    }

    public double getBareCreateShare() {
        return bareCreateShare;
    }

    public void setBareCreateShare(double bareCreateShare) {
        this.bareCreateShare = bareCreateShare;
    }

    public double getMayhemShare() {
        return mayhemShare;
    }

    public void setMayhemShare(double mayhemShare) {
        this.mayhemShare = mayhemShare;
    }

    public double getBuyBias() {
        return buyBias;
    }

    public void setBuyBias(double buyBias) {
        this.buyBias = buyBias;
    }

    public double getMeanTradeSol() {
        return meanTradeSol;
    }

    public void setMeanTradeSol(double meanTradeSol) {
        this.meanTradeSol = meanTradeSol;
    }

    public int getRetainedMintStats() {
        return retainedMintStats;
    }

    public void setRetainedMintStats(int retainedMintStats) {
        this.retainedMintStats = retainedMintStats;
    }

    /** Fails fast on values that would make the market meaningless; called by the market and the server. */
    void validate() {
        requireShare("create-share", createShare);
        requireShare("legacy-share", legacyShare);
        requireShare("bonk-share", bonkShare);
        requireShare("bare-create-share", bareCreateShare);
        requireShare("mayhem-share", mayhemShare);
        requireShare("buy-bias", buyBias);
        if (!(framesPerSecond >= 0) || Double.isInfinite(framesPerSecond)) {
            throw new IllegalArgumentException("tokendiscovery.simulator.frames-per-second must be >= 0, was "
                    + framesPerSecond);
        }
        if (maxActiveMints < 1) {
            throw new IllegalArgumentException("tokendiscovery.simulator.max-active-mints must be >= 1, was "
                    + maxActiveMints);
        }
        if (!(zipfExponent >= 0) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("tokendiscovery.simulator.zipf-exponent must be >= 0, was "
                    + zipfExponent);
        }
        if (!(meanTradeSol > 0) || Double.isInfinite(meanTradeSol)) {
            throw new IllegalArgumentException("tokendiscovery.simulator.mean-trade-sol must be > 0, was "
                    + meanTradeSol);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("tokendiscovery.simulator.port must be 0..65535, was " + port);
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("tokendiscovery.simulator.path must start with '/', was " + path);
        }
        if (retainedMintStats < 0) {
            throw new IllegalArgumentException("tokendiscovery.simulator.retained-mint-stats must be >= 0, was "
                    + retainedMintStats);
        }
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("tokendiscovery.simulator." + name + " must be within 0..1, was "
                    + value);
        }
    }
}
