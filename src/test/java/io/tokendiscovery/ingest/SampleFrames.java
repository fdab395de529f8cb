package io.tokendiscovery.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The captured PumpPortal frames of shared/pumpportal/samples, in their documented order. */
public final class SampleFrames {

    public static final int ACK_NEW_TOKEN = 0;
    public static final int ACK_MIGRATION = 1;
    public static final int ACK_KEYS = 2;
    public static final int FUNDED_KEY_NOTICE = 3;
    public static final int CREATE = 4;
    public static final int CREATE_WITHOUT_METADATA = 5;
    public static final int CREATE_BONK = 6;
    public static final int BUY = 7;
    public static final int LEGACY_SELL = 8;
    public static final int MIGRATE = 9;

    private SampleFrames() {}

    public static List<String> all() {
        try (InputStream in = SampleFrames.class.getResourceAsStream("/pumpportal/frames.jsonl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String get(int index) {
        return all().get(index);
    }
}
