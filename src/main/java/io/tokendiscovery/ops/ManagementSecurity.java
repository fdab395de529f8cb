package io.tokendiscovery.ops;

import static org.springframework.security.config.Customizer.withDefaults;

import io.tokendiscovery.TokenDiscoveryProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;
import org.springframework.util.StringUtils;

/**
 * Who may see what. Anonymous: the public API, the live page, {@code /actuator/health} (status only) and
 * {@code /actuator/prometheus}. VIEWER: Hawtio and Jolokia reads (route statistics, attributes, the read-only operations
 * Hawtio needs: {@link ViewerOperations}). ADMIN: everything, including Jolokia writes and other operations and the
 * {@code deadletters}, {@code syncruns} and {@code writemode} endpoints. Users come from
 * {@code tokendiscovery.security.*} (environment or Secret); with no password set nobody can log in.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class ManagementSecurity {

    public static final String VIEWER = "VIEWER";
    public static final String ADMIN = "ADMIN";

    private static final Logger log = LoggerFactory.getLogger(ManagementSecurity.class);

    @Bean
    SecurityFilterChain managementFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(EndpointRequest.to("health", "prometheus")).permitAll()
                        .requestMatchers(EndpointRequest.to("hawtio", "jolokia")).hasAnyRole(VIEWER, ADMIN)
                        .requestMatchers(EndpointRequest.toAnyEndpoint()).hasRole(ADMIN)
                        // the public read API, the live page and its static files
                        .anyRequest().permitAll())
                .httpBasic(withDefaults())
                .formLogin(withDefaults())
                // Hawtio is a single-page app: it reads the token from the XSRF-TOKEN cookie and sends it back as
                // X-XSRF-TOKEN on its Jolokia POSTs. The deadletters endpoint only takes application/json, which a
                // cross-site form cannot send without a CORS preflight (refused), so it is left out for curl; the same
                // holds for the writemode endpoint.
                .csrf(csrf -> csrf
                        .csrfTokenRepository(CookieCsrfTokenRepository.withHttpOnlyFalse())
                        .csrfTokenRequestHandler(new CsrfTokenRequestAttributeHandler())
                        .ignoringRequestMatchers(EndpointRequest.to("deadletters", "writemode")))
                .addFilterAfter(ManagementSecurity::renderCsrfCookie, BasicAuthenticationFilter.class)
                .addFilterAfter(new JolokiaAccessGuard(), AuthorizationFilter.class);
        return http.build();
    }

    /** Spring Security creates the CSRF token lazily; Hawtio needs its cookie before its first POST. */
    private static void renderCsrfCookie(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && http.getRequestURI().contains("/actuator/")
                && request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
            token.getToken();
        }
        chain.doFilter(request, response);
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    /** The management users; a blank password means the user does not exist. Also stops Boot's generated user. */
    @Bean
    UserDetailsService managementUsers(TokenDiscoveryProperties properties, PasswordEncoder encoder) {
        TokenDiscoveryProperties.Security security = properties.security();
        List<UserDetails> users = new ArrayList<>();
        addUser(users, security.adminUsername(), security.adminPassword(), ADMIN, encoder);
        addUser(users, security.viewerUsername(), security.viewerPassword(), VIEWER, encoder);
        if (users.isEmpty()) {
            log.info("No management user configured (TOKENDISCOVERY_SECURITY_ADMIN_PASSWORD, "
                    + "TOKENDISCOVERY_SECURITY_VIEWER_PASSWORD): Hawtio and Jolokia refuse every login");
        } else {
            log.info("Management users: {}", users.stream()
                    .map(u -> u.getUsername() + " " + u.getAuthorities()).toList());
        }
        return new InMemoryUserDetailsManager(users);
    }

    private static void addUser(List<UserDetails> users, String name, String password, String role,
            PasswordEncoder encoder) {
        if (!StringUtils.hasText(password)) {
            return;
        }
        // A value already in Spring's {id}hash form (e.g. {bcrypt}...) is taken as is; a plain one is hashed now.
        String stored = password.startsWith("{") ? password : encoder.encode(password);
        users.add(User.withUsername(name).password(stored).roles(role).build());
    }
}
