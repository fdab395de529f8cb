package io.tokendiscovery.bench;

/** How changes reach PostgreSQL in a run. */
enum Mode {
    /** The incident's code path: the ingest writes PostgreSQL per swap ({@code tokendiscovery.write-mode}). */
    WRITE_THROUGH("write-through"),
    /** The plan's Phase 1 as written, run by the harness ({@link Phase1Sync}); the app's own sync is off. */
    PHASE1("phase1"),
    /** This project: the write-behind sync (the default). */
    WRITE_BEHIND("write-behind");

    final String label;

    Mode(String label) {
        this.label = label;
    }

    static Mode of(String label) {
        for (Mode mode : values()) {
            if (mode.label.equalsIgnoreCase(label)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Unknown mode " + label + " (write-through, phase1, write-behind)");
    }
}
