package io.tokendiscovery.ops;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokendiscovery.ingest.FeedFence;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.KubernetesHelper;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whether this replica leads the cluster namespace {@value #NAMESPACE}: the one that holds the PumpPortal connection
 * and runs the periodic jobs (their routes start from {@code master:feed:...}). Gauge
 * {@code tokendiscovery.cluster.leader}: 1 on the leader, 0 on standbys; the sum over replicas must be 1.
 *
 * <p>Also the {@link FeedFence} of the PumpPortal client (docs/operations.md#a-frozen-leader). Camel's view of the
 * leadership is updated by its own threads, which after a freeze run in no particular order with the socket's event
 * loop and the ingest thread: for a moment the view still says "leader" although another replica holds the Lease. So
 * with the Kubernetes Lease the feed may be acted on only before a deadline on the monotonic clock:
 * {@code validUntil = C + renew-deadline}, where C is when the last read of the Lease that named this pod as holder
 * STARTED. Another replica can acquire the Lease only at some A later than that read (the holder changes at A), and
 * Camel makes it wait lease-duration before its routes start; so the old leader's last act is before C + renew-deadline
 * < A + lease-duration, the new leader's first. The Lease is read every {@link #confirmPeriodMillis} while the view says
 * "leader" (one GET; the holder's pod needs no other RBAC than Camel's).
 *
 * <p>With the file lock cluster service no deadline is needed: the lock is an OS (fcntl) lock, which a frozen process
 * keeps, so nobody else can take it over while the leader is stopped; {@link #mayAct()} is then always true.
 */
@Component("feedLeadership")
public class FeedLeadership implements FeedFence {

    public static final String NAMESPACE = "feed";
    private static final Logger log = LoggerFactory.getLogger(FeedLeadership.class);

    private final ObjectProvider<CamelClusterService> services;
    private final Counter confirmFailures;
    private volatile CamelClusterView view;

    // Kubernetes Lease fencing; leaseFenced stays false with the file lock
    private volatile boolean leaseFenced;
    private volatile long validUntilNanos;
    private long renewDeadlineNanos;
    private long confirmPeriodMillis;
    private String podName;
    private String leaseName;
    private String leaseNamespace;
    private KubernetesClient kubernetes;
    private ScheduledExecutorService confirmer;

    public FeedLeadership(ObjectProvider<CamelClusterService> services, MeterRegistry meters) {
        this.services = services;
        Gauge.builder("tokendiscovery.cluster.leader", this, l -> l.isLeader() ? 1 : 0)
                .description("1 on the replica holding the PumpPortal feed and running the periodic jobs, 0 on standbys")
                .register(meters);
        Gauge.builder("tokendiscovery.cluster.lease.valid.seconds", this, FeedLeadership::validSeconds)
                .description("Kubernetes Lease: seconds this replica may still act on the feed without a new "
                        + "confirmation of its Lease (negative: fenced); 0 with the file lock")
                .register(meters);
        this.confirmFailures = Counter.builder("tokendiscovery.cluster.lease.confirm.failures")
                .description("Reads of the Kubernetes Lease by the feed leader that failed or named another holder")
                .register(meters);
    }

    @PostConstruct
    void startFence() {
        CamelClusterService service = services.orderedStream().findFirst().orElse(null);
        if (!(service instanceof KubernetesClusterService lease)) {
            return;
        }
        renewDeadlineNanos = TimeUnit.MILLISECONDS.toNanos(lease.getRenewDeadlineMillis());
        confirmPeriodMillis = Math.max(100, Math.min(1000, lease.getRetryPeriodMillis() / 2));
        podName = lease.getPodName() != null && !lease.getPodName().isBlank() ? lease.getPodName()
                : System.getenv("HOSTNAME");
        String resource = lease.getKubernetesResourceName() == null ? "leaders" : lease.getKubernetesResourceName();
        leaseName = kubernetesId(resource + "-" + NAMESPACE);
        if (lease.getMasterUrl() == null || lease.getMasterUrl().isBlank()) {
            kubernetes = new KubernetesClientBuilder().build();
        } else {
            KubernetesConfiguration api = new KubernetesConfiguration();
            api.setMasterUrl(lease.getMasterUrl());
            api.setConnectionTimeout(lease.getConnectionTimeout());
            kubernetes = KubernetesHelper.getKubernetesClient(api);
        }
        leaseNamespace = lease.getKubernetesNamespace() != null && !lease.getKubernetesNamespace().isBlank()
                ? lease.getKubernetesNamespace() : kubernetes.getNamespace();
        validUntilNanos = System.nanoTime() - 1;
        leaseFenced = true;
        confirmer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "feed-lease-fence");
            thread.setDaemon(true);
            return thread;
        });
        confirmer.scheduleWithFixedDelay(this::confirm, 0, confirmPeriodMillis, TimeUnit.MILLISECONDS);
        log.info("Feed fencing on: the feed is acted on only within {} ms of a read of Lease {}/{} naming {}",
                lease.getRenewDeadlineMillis(), leaseNamespace, leaseName, podName);
    }

    @PreDestroy
    void stopFence() {
        if (confirmer != null) {
            confirmer.shutdownNow();
        }
        if (kubernetes != null) {
            kubernetes.close();
        }
    }

    /** One read of the Lease; moves the deadline only if it names this pod. The start time counts, not the answer's. */
    void confirm() {
        if (!isLeader()) {
            return;
        }
        long startedAt = System.nanoTime();
        try {
            Lease lease = kubernetes.leases().inNamespace(leaseNamespace).withName(leaseName).get();
            String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
            if (podName.equals(holder)) {
                if (startedAt + renewDeadlineNanos - validUntilNanos > 0) {
                    validUntilNanos = startedAt + renewDeadlineNanos;
                }
            } else {
                confirmFailures.increment();
                log.warn("Lease {} names {}, not this pod {}: the feed is fenced until Camel hands it over", leaseName,
                        holder, podName);
            }
        } catch (RuntimeException e) {
            confirmFailures.increment();
            log.warn("Cannot read Lease {}: {} (the feed is fenced {} ms after the last good read)", leaseName,
                    e.toString(), TimeUnit.NANOSECONDS.toMillis(renewDeadlineNanos));
        }
    }

    /**
     * True unless the Kubernetes Lease was last confirmed longer than renew-deadline ago (monotonic clock). Always true
     * with the file lock. Does not look at Camel's view: the {@code master:} route already runs only on the leader.
     */
    @Override
    public boolean mayAct() {
        return !leaseFenced || System.nanoTime() - validUntilNanos < 0;
    }

    private double validSeconds() {
        return leaseFenced ? (validUntilNanos - System.nanoTime()) / 1e9 : 0;
    }

    public boolean isLeader() {
        CamelClusterView current = view;
        if (current == null) {
            CamelClusterService service = services.orderedStream().findFirst().orElse(null);
            if (!(service instanceof org.apache.camel.support.service.BaseService started) || !started.isStarted()) {
                return false;
            }
            try {
                current = ((CamelClusterService) started).getView(NAMESPACE);
            } catch (Exception e) {
                return false;
            }
            view = current;
        }
        return current.getLocalMember().isLeader();
    }

    /** The Lease name Camel uses: lower case, [a-z0-9-.], trimmed to alphanumerics at both ends. */
    static String kubernetesId(String id) {
        String name = id.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-.]", "-");
        return name.replaceAll("^[^a-z0-9]+", "").replaceAll("[^a-z0-9]+$", "");
    }
}
