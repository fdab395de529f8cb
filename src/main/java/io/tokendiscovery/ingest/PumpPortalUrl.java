package io.tokendiscovery.ingest;

/** Supplies the feed URL when {@code tokendiscovery.pumpportal.url} is blank (the built-in simulator does). */
@FunctionalInterface
public interface PumpPortalUrl {

    String url();
}
