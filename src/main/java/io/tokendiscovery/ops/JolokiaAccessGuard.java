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
 * {@code search} or ask the {@code version}; {@code exec} (invoke an operation: stop a route, reset statistics) and
 * {@code write} (change an attribute) get 403. Jolokia takes the type from the first path segment of a GET
 * ({@code /jolokia/exec/...}) or from the {@code type} of each request in a POSTed JSON body (one or a bulk array).
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
        List<String> types;
        if ("POST".equalsIgnoreCase(request.getMethod())) {
            byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                refuse(response, user, List.of("oversized request"));
                return;
            }
            types = postedTypes(body);
            checked = new CachedBody(request, body);
        } else {
            types = List.of(getType(request));
        }
        List<String> refused = types.stream().filter(t -> !VIEWER_TYPES.contains(t)).toList();
        if (!refused.isEmpty()) {
            refuse(response, user, refused);
            return;
        }
        chain.doFilter(checked, response);
    }

    private static String getType(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String rest = uri.substring(uri.indexOf("/jolokia") + "/jolokia".length());
        if (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        int slash = rest.indexOf('/');
        String type = (slash < 0 ? rest : rest.substring(0, slash)).toLowerCase(Locale.ROOT);
        if (type.isEmpty()) {
            // no path: Jolokia takes the request from the "p" parameter, or answers the version
            String p = request.getParameter("p");
            if (p == null) {
                return "version";
            }
            String trimmed = p.startsWith("/") ? p.substring(1) : p;
            int end = trimmed.indexOf('/');
            return (end < 0 ? trimmed : trimmed.substring(0, end)).toLowerCase(Locale.ROOT);
        }
        return type;
    }

    private static List<String> postedTypes(byte[] body) {
        List<String> types = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isArray()) {
                root.forEach(r -> types.add(typeOf(r)));
            } else {
                types.add(typeOf(root));
            }
        } catch (IOException e) {
            types.add("unparseable");
        }
        return types;
    }

    private static String typeOf(JsonNode request) {
        return request == null || !request.hasNonNull("type")
                ? "missing" : request.get("type").asText().toLowerCase(Locale.ROOT);
    }

    private static void refuse(HttpServletResponse response, Authentication user, List<String> types)
            throws IOException {
        log.warn("Refused Jolokia {} for {}: viewers may only read", types, user == null ? "anonymous" : user.getName());
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
                    throw new UnsupportedOperationException("synchronous reads only");
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
