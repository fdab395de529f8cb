package io.tokendiscovery.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Read-only Jolokia for viewers: a request that is not from an ADMIN may only {@code read}, {@code list},
 * {@code search}, ask the {@code version}, or {@code exec} one of the read-only operations Hawtio needs to show its
 * console ({@link ViewerOperations}: the RBAC registry's {@code list}, {@code canInvoke}, Camel's route and statistics
 * dumps, thread dumps). Every other {@code exec} (stop a route, reset statistics, switch the write mode) and every
 * {@code write} (change an attribute) gets 403. Jolokia takes the request from the path of a GET
 * ({@code /jolokia/exec/<mbean>/<operation>/...}, {@code !} escaping) or from each request in a POSTed JSON body (one
 * or a bulk array): one refused request in a bulk refuses the whole body.
 */
final class JolokiaAccessGuard extends OncePerRequestFilter {

    static final Set<String> VIEWER_TYPES = Set.of("read", "list", "search", "version");
    private static final Logger log = LoggerFactory.getLogger(JolokiaAccessGuard.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().contains("/jolokia");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user != null && user.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + ManagementSecurity.ADMIN))) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletRequest checked = request;
        List<Call> calls;
        if ("POST".equalsIgnoreCase(request.getMethod())) {
            byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                refuse(response, user, List.of("oversized request"));
                return;
            }
            calls = postedCalls(body);
            checked = new CachedBody(request, body);
        } else {
            calls = List.of(getCall(request));
        }
        List<String> refused = calls.stream().filter(c -> !c.viewerMayRun()).map(Call::toString)
                .map(JolokiaAccessGuard::printable).toList();
        if (!refused.isEmpty()) {
            refuse(response, user, refused);
            return;
        }
        chain.doFilter(checked, response);
    }

    /** One Jolokia request: its type, and for an {@code exec} the MBean and operation. */
    record Call(String type, String mbean, String operation) {
        boolean viewerMayRun() {
            return VIEWER_TYPES.contains(type) || "exec".equals(type) && ViewerOperations.allowed(mbean, operation);
        }

        @Override
        public String toString() {
            return mbean == null ? type : type + " " + mbean + " " + operation;
        }
    }

    private static Call getCall(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String rest = uri.substring(uri.indexOf("/jolokia") + "/jolokia".length());
        if (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        if (rest.isEmpty()) {
            // no path: Jolokia takes the request from the "p" parameter, or answers the version
            String p = request.getParameter("p");
            if (p == null) {
                return new Call("version", null, null);
            }
            return pathCall(p.startsWith("/") ? p.substring(1) : p, false);
        }
        return pathCall(rest, true);
    }

    /**
     * Jolokia's GET path {@code <type>/<mbean>/<operation>/<args>}: segments split on {@code /}, where {@code !} escapes
     * the next character ({@code !/} is a slash inside a name).
     */
    private static Call pathCall(String path, boolean percentEncoded) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '!' && i + 1 < path.length()) {
                current.append(path.charAt(++i));
            } else if (c == '/') {
                segments.add(decode(current.toString(), percentEncoded));
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(decode(current.toString(), percentEncoded));
        String type = segments.get(0).toLowerCase(Locale.ROOT);
        if (!"exec".equals(type)) {
            return new Call(type, null, null);
        }
        return new Call(type, segments.size() > 1 ? segments.get(1) : null, segments.size() > 2 ? segments.get(2) : null);
    }

    private static String decode(String segment, boolean percentEncoded) {
        if (!percentEncoded) {
            return segment;
        }
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    private static List<Call> postedCalls(byte[] body) {
        List<Call> calls = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isArray()) {
                root.forEach(r -> calls.add(callOf(r)));
            } else {
                calls.add(callOf(root));
            }
        } catch (IOException e) {
            calls.add(new Call("unparseable", null, null));
        }
        return calls;
    }

    private static Call callOf(JsonNode request) {
        if (request == null || !request.hasNonNull("type")) {
            return new Call("missing", null, null);
        }
        String type = request.get("type").asText().toLowerCase(Locale.ROOT);
        return new Call(type, text(request, "mbean"), text(request, "operation"));
    }

    private static String text(JsonNode request, String field) {
        JsonNode value = request.get(field);
        return value == null || !value.isTextual() ? null : value.asText();
    }

    /** For the log line: no control characters (a forged line), at most 200 characters. */
    private static String printable(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }

    private static void refuse(HttpServletResponse response, Authentication user, List<String> types)
            throws IOException {
        log.warn("Refused Jolokia {} for {}: viewers may only read and run Hawtio's read-only operations", types, user == null ? "anonymous" : user.getName());
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.getWriter().write("{\"status\":403,\"error\":\"Only an ADMIN may invoke operations or write attributes\"}");
    }

    /** The request with its already-read body available again for Jolokia. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    // the whole body is already in memory
                    try {
                        listener.onDataAvailable();
                        listener.onAllDataRead();
                    } catch (IOException e) {
                        listener.onError(e);
                    }
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
