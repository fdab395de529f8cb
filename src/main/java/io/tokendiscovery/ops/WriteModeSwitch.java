package io.tokendiscovery.ops;

import io.tokendiscovery.sync.WriteMode;
import java.util.Map;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The write-mode rollback switch as a JMX MBean, {@code io.tokendiscovery:type=WriteMode,context=<camel context>}
 * (registered by {@link WriteModeJmxRegistration}): Hawtio shows it in its JMX tree, with the operation
 * {@code switchTo(mode)}. Reading the attributes is allowed to viewers; invoking {@code switchTo} over Jolokia is
 * ADMIN only ({@link JolokiaAccessGuard}), and checked again here. The mode applies to every replica
 * ({@link WriteMode}).
 */
@ManagedResource(description = "Write mode of every replica: write-behind (default) or write-through (the rollback)")
public class WriteModeSwitch {

    private final WriteMode writeMode;

    public WriteModeSwitch(WriteMode writeMode) {
        this.writeMode = writeMode;
    }

    @ManagedAttribute(description = "The mode this replica applies now")
    public String getMode() {
        return writeMode.current();
    }

    @ManagedAttribute(description = "The mode used while no ADMIN has set one for all replicas (routes/write-mode.camel.yaml)")
    public String getFileDefault() {
        return String.valueOf(writeMode.status().get("fileDefault"));
    }

    @ManagedAttribute(description = "The mode an ADMIN set for all replicas, with who, when and through what; empty when unset")
    public String getShared() {
        Object shared = writeMode.status().get("shared");
        return shared == null ? "" : shared.toString();
    }

    @ManagedOperation(description = "ADMIN only. Sets the write mode of EVERY replica (within seconds, kept across "
            + "restarts): write-behind, write-through, or default (forget it: the file default applies)")
    public String switchTo(String mode) {
        Map<String, Object> status = writeMode.switchTo(mode, caller(), "jmx");
        return "write mode " + status.get("mode") + " for every replica" + (status.get("shared") == null
                ? " (file default)" : "");
    }

    /**
     * The Spring Security user of the Jolokia request. A logged-in non-ADMIN never gets here (the Jolokia guard
     * refuses the exec); refused again in case another path is added. A local JMX client (attach by the process's own
     * OS user) has no Spring login.
     */
    static String caller() {
        Authentication user = SecurityContextHolder.getContext().getAuthentication();
        if (user == null || user instanceof AnonymousAuthenticationToken || !user.isAuthenticated()) {
            return "local JMX client (no login)";
        }
        if (user.getAuthorities().stream().noneMatch(a -> a.getAuthority().equals("ROLE_" + ManagementSecurity.ADMIN))) {
            throw new SecurityException("Only an ADMIN may switch the write mode");
        }
        return user.getName();
    }
}
