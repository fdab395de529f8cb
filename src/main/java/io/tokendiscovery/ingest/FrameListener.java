package io.tokendiscovery.ingest;

/** Receives frames on the socket's event loop, in receive order. Must not block. */
@FunctionalInterface
public interface FrameListener {

    void onFrame(String text, boolean binary, long receiveSeq, long receivedAtMillis);
}
