package io.tokendiscovery.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The captured PumpPortal frames (copy of shared/pumpportal/samples/frames.jsonl), in their documented order. */
public final class SampleFrames {

    public static final ObjectMapper MAPPER = new ObjectMapper();

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

    private static final List<String> LINES = load();

    private SampleFrames() {}

    public static List<String> all() {
        return LINES;
    }

    public static String get(int index) {
        return LINES.get(index);
    }

    public static JsonNode json(int index) {
        return parse(LINES.get(index));
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + text, e);
        }
    }

    /** Field names in order. */
    public static List<String> keys(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static List<String> load() {
        try (InputStream in = SampleFrames.class.getResourceAsStream("/pumpportal/frames.jsonl")) {
            if (in == null) {
                throw new IllegalStateException("pumpportal/frames.jsonl missing from test resources");
            }
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank())
                    .toList();
            if (lines.size() != 10) {
                throw new IllegalStateException("Expected 10 sample frames, found " + lines.size());
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
