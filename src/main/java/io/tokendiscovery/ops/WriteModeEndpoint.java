package io.tokendiscovery.ops;

import io.tokendiscovery.sync.WriteMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/writemode} (ADMIN only, like every actuator endpoint but health and prometheus): GET answers this
 * replica's mode, the file default, the mode set for all replicas (who, when, through what) and the last switches;
 * POST {@code {"mode":"write-through"|"write-behind"|"default"}} sets the mode of every replica
 * (docs/operations.md#rollback-to-write-through).
 */
@Component
@Endpoint(id = "writemode")
public class WriteModeEndpoint {

    private final WriteMode writeMode;

    public WriteModeEndpoint(WriteMode writeMode) {
        this.writeMode = writeMode;
    }

    @ReadOperation
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>(writeMode.status());
        status.put("recentSwitches", writeMode.audit(20));
        return status;
    }

    @WriteOperation
    public Map<String, Object> switchTo(String mode) {
        try {
            return writeMode.switchTo(mode, WriteModeSwitch.caller(), "actuator");
        } catch (IllegalArgumentException e) {
            throw new InvalidEndpointRequestException(e.getMessage(), "bad mode");
        }
    }
}
