package io.tokendiscovery;

import org.springframework.boot.actuate.health.Status;

/**
 * The app's own health status: {@link #DEGRADED}, between OUT_OF_SERVICE and UP in
 * {@code management.endpoint.health.status.order}, answered with HTTP 200. The replica serves its traffic, but
 * something behind it is broken (PostgreSQL unreachable, syncs stale, the leader's feed down): shown in
 * {@code /actuator/health}, in metrics and alerts, never a reason to leave the Service (docs/operations.md#health).
 */
public final class HealthStatuses {

    public static final Status DEGRADED = new Status("DEGRADED");

    private HealthStatuses() {}
}
