package io.tokendiscovery.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.tokendiscovery.ops.FeedLeadership;
import io.tokendiscovery.ops.FeedMasterComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The production leader election path: Camel's KubernetesClusterService with a coordination.k8s.io/v1 Lease,
 * configured like src/main/resources/application-kubernetes.yaml (shorter timings), against fabric8's in-process
 * Kubernetes API server in CRUD mode. Three "pods" run a master:feed route: one leads, the Lease names it, and when it
 * stops another takes over.
 *
 * <p>"Never two leaders" is checked continuously: a sampler looks at every pod, the stopped one included, every
 * {@link #SAMPLE_MILLIS} ms over the whole test, and the test fails if two led in samples spanning more than
 * {@link #OVERLAP_BOUND_MILLIS} (one sample reads the pods one after the other, so a hand-over between two reads could
 * show both; Camel's new holder waits the lease duration before its routes start, so none is expected at all). Before
 * issue 14 the check ran inside {@code untilAsserted}, where a double leader was retried away, and left the stopped pod
 * out. Not mutation-checked yet (breaking the guard means patching Camel's controller). The frozen-process case, where
 * a real overlap of sockets can happen, is {@link FrozenLeaseLeaderTest}.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesLeaseLeadershipTest {

    static final String NAMESPACE = "token-discovery";
    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "token-discovery");

    KubernetesClient client;
    final List<CamelContext> pods = new ArrayList<>();
    final Map<String, AtomicInteger> ticks = new java.util.concurrent.ConcurrentHashMap<>();

    static final long SAMPLE_MILLIS = 10;
    static final long OVERLAP_BOUND_MILLIS = 100;
    final java.util.concurrent.ScheduledExecutorService sampler =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    /** Start of the current run of samples with two leaders (0: none), and the longest such run so far. */
    long overlapSince;
    final java.util.concurrent.atomic.AtomicLong longestOverlapMillis = new java.util.concurrent.atomic.AtomicLong(-1);
    final java.util.concurrent.atomic.AtomicLong samples = new java.util.concurrent.atomic.AtomicLong();

    /** Every pod, stopped ones included, every SAMPLE_MILLIS; records the longest run of samples with two leaders. */
    void sampleContinuously() {
        sampler.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long leading = pods.stream().filter(KubernetesLeaseLeadershipTest::leads).count();
            samples.incrementAndGet();
            if (leading > 1) {
                if (overlapSince == 0) {
                    overlapSince = now;
                }
                longestOverlapMillis.accumulateAndGet(
                        java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(now - overlapSince), Math::max);
            } else {
                overlapSince = 0;
            }
        }, 0, SAMPLE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void stopPods() {
        sampler.shutdownNow();
        pods.forEach(CamelContext::stop);
    }

    CamelContext pod(String name) throws Exception {
        // a running, ready pod: the cluster service counts only those as members
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name)
                .withNamespace(NAMESPACE).withLabels(LABELS).endMetadata()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewContainerStatus().withName("app").withReady(true).endContainerStatus()
                .endStatus().build()).create();
        // each pod its own client of the in-process API server (in a cluster: the service account's client)
        KubernetesConfiguration api = new KubernetesConfiguration();
        api.setKubernetesClient(new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl(client.getMasterUrl().toString()).withNamespace(NAMESPACE).build()).build());
        KubernetesClusterService lease = new KubernetesClusterService(api);
        lease.setId(name);
        lease.setNamespace(NAMESPACE);
        lease.setPodName(name);
        lease.setKubernetesResourceName("token-discovery");
        lease.setClusterLabels(LABELS);
        lease.setLeaseDurationMillis(3000);
        lease.setRenewDeadlineMillis(2000);
        lease.setRetryPeriodMillis(300);
        lease.setJitterFactor(1.2);
        CamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName(name);
        camel.addService(lease);
        // the app's master: component (camel-master's, with a start task that ends when the consumer started)
        camel.addComponent("master", new FeedMasterComponent());
        AtomicInteger counter = ticks.computeIfAbsent(name, n -> new AtomicInteger());
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("master:" + FeedLeadership.NAMESPACE + ":timer:feed?period=50").routeId("feed")
                        .process(exchange -> counter.incrementAndGet());
            }
        });
        camel.start();
        pods.add(camel);
        return camel;
    }

    static boolean leads(CamelContext pod) {
        try {
            org.apache.camel.ServiceStatus status = pod.getRouteController().getRouteStatus("feed");
            org.apache.camel.Route route = pod.getRoute("feed");
            return status != null && status.isStarted() && route != null && route.getConsumer() != null
                    && ((FeedMasterComponent.LeaderConsumer) route.getConsumer()).isMaster();
        } catch (RuntimeException stoppedMeanwhile) {
            return false;
        }
    }

    List<CamelContext> leaders() {
        return pods.stream().filter(p -> p.getStatus().isStarted()).filter(KubernetesLeaseLeadershipTest::leads).toList();
    }

    @Test
    void oneLeaseHolderLeadsAndAnotherTakesOverWhenItStops() throws Exception {
        pod("pod-a");
        pod("pod-b");
        pod("pod-c");
        sampleContinuously();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(leaders()).hasSize(1));
        CamelContext first = leaders().get(0);

        Lease lease = client.leases().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(l -> l.getMetadata().getName().startsWith("token-discovery")).findFirst().orElseThrow();
        System.out.println("Lease " + lease.getMetadata().getName() + " held by " + lease.getSpec().getHolderIdentity());
        assertThat(lease.getMetadata().getName()).isEqualTo("token-discovery-" + FeedLeadership.NAMESPACE);

        // only the leader's master:feed route runs
        String leaderName = first.getName();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get(leaderName).get() > 10);
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leaderName);
        ticks.forEach((pod, count) -> {
            if (!pod.equals(leaderName)) {
                assertThat(count.get()).as("ticks of standby %s", pod).isZero();
            }
        });

        // the leader's pod terminates: Camel stops (closing what the master: routes hold), Kubernetes deletes the pod
        long stoppedAt = System.nanoTime();
        first.stop();
        client.pods().inNamespace(NAMESPACE).withName(leaderName).delete();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(leaders()).hasSize(1));
        System.out.printf("Lease taken over %d ms after the leader stopped%n",
                Duration.ofNanos(System.nanoTime() - stoppedAt).toMillis());
        assertThat(leaders().get(0)).isNotSameAs(first);
        // and it stays the only one
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> leaders().size() == 1);
        assertNeverTwoLeaders();
    }

    void assertNeverTwoLeaders() {
        sampler.shutdownNow();
        System.out.printf("%d samples of all pods; longest run with two leaders: %d ms%n", samples.get(),
                longestOverlapMillis.get());
        assertThat(samples.get()).as("samples taken").isGreaterThan(100);
        assertThat(longestOverlapMillis.get()).as("longest run of samples with two leaders, ms (-1: never)")
                .isLessThanOrEqualTo(OVERLAP_BOUND_MILLIS);
    }
}
