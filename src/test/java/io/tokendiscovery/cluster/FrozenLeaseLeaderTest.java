package io.tokendiscovery.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.tokendiscovery.ops.FeedLeadership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A frozen feed leader with the production election (Kubernetes Lease, fabric8's API server in CRUD mode), two real app
 * processes in the {@code kubernetes} profile with short timings (lease 6 s, renew deadline 4 s, retry 1 s; shorter ones flapped while two JVMs started on 2 cores).
 *
 * <p>The leader is frozen with SIGSTOP, and its pod is marked not Ready, as the kubelet does when the frozen process
 * misses its readiness probes; the standby takes the Lease, waits the lease duration and connects. While the old
 * process is still frozen, the fake PumpPortal sends it frames with new mints (they wait in its kernel socket buffer),
 * and more right after SIGCONT. Then: the old process closes its connection within {@link #CLOSE_AFTER_RESUME} of
 * being continued, sends nothing after it is continued, and none of those mints reaches Redis, while frames sent to the
 * new leader do. Two connections are open at once only while the old process is frozen, plus at most
 * {@link #CLOSE_AFTER_RESUME} (docs/operations.md#a-frozen-leader).
 *
 * <p>Without the fence ({@code FeedLeadership} as a {@code FeedFence}, checked by the client and the consumer), this
 * test fails: after SIGCONT the old process applied the frames buffered while it was frozen (its Camel view still said
 * "leader", and stopping the route drains the receive queue into Redis): run with {@code mayAct()} returning true, it
 * failed with "[frames buffered while frozen, in Redis] Expecting empty but was: [11fpt8zn...]" although Camel closed
 * the old socket 29 ms after SIGCONT. With the fence it passed: socket closed 84 ms after SIGCONT, nothing applied.
 * About 170 s on 2 cores, most of it starting the two JVMs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrozenLeaseLeaderTest {

    /** After SIGCONT: the watchdog tick (1 s at most) + the close handshake (1 s) + slack for a loaded 2-core box. */
    static final Duration CLOSE_AFTER_RESUME = Duration.ofSeconds(5);
    static final String NAMESPACE = "token-discovery";
    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "token-discovery");

    KubernetesMockServer apiServer;
    KubernetesClient client;
    FrozenLeaderSupport cluster;

    @BeforeAll
    void start() throws Exception {
        apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        apiServer.init();
        client = apiServer.createClient();
        cluster = new FrozenLeaderSupport("frozen-lease-test") {};
        for (int i = 0; i < 2; i++) {
            String pod = "pod-" + i;
            client.pods().inNamespace(NAMESPACE).resource(readyPod(pod, true)).create();
            cluster.launch(i, List.of(
                    "-Dcamel.cluster.kubernetes.master-url=" + client.getMasterUrl(),
                    // Camel's view may be created before the service copies master-url into its configuration; it
                    // then builds fabric8's default client, which these point at the in-process API server
                    "-Dkubernetes.master=" + client.getMasterUrl(), "-Dkubernetes.namespace=" + NAMESPACE,
                    "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                    "-Dkubernetes.trust.certificates=true",
                    "-Dcamel.cluster.kubernetes.lease-duration-millis=6000",
                    "-Dcamel.cluster.kubernetes.renew-deadline-millis=4000",
                    "-Dcamel.cluster.kubernetes.retry-period-millis=1000"),
                    Map.of("SPRING_PROFILES_ACTIVE", "kubernetes", "POD_NAME", pod, "POD_NAMESPACE", NAMESPACE));
        }
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.stopEverything();
        }
        if (client != null) {
            client.close();
        }
        if (apiServer != null) {
            apiServer.destroy();
        }
    }

    static Pod readyPod(String name, boolean ready) {
        String status = ready ? "True" : "False";
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(LABELS)
                .endMetadata()
                .withNewStatus().withPhase("Running")
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(status).build())
                .addNewContainerStatus().withName("app").withReady(ready).endContainerStatus()
                .endStatus().build();
    }

    String leaseHolder() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName("token-discovery-" + FeedLeadership.NAMESPACE)
                .get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void aFrozenLeaderClosesItsConnectionWithoutSendingOrApplyingAnythingOnceContinued() throws Exception {
        RecordingPumpPortal.Connection first = cluster.awaitOneSubscribedConnection(Duration.ofMinutes(3));
        String holder = leaseHolder();
        assertThat(holder).isIn("pod-0", "pod-1");
        FrozenLeaderSupport.App leader = cluster.apps.get(Integer.parseInt(holder.substring(4)));
        List<String> before = cluster.sendCreates(first, 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.inRedis(before).size() == 3);

        // freeze the leader; the kubelet would mark its pod not Ready after the missed readiness probes
        long frozenAt = System.nanoTime();
        FrozenLeaderSupport.signal("STOP", leader);
        client.pods().inNamespace(NAMESPACE).resource(readyPod(holder, false)).update();
        assertThat(client.pods().inNamespace(NAMESPACE).withName(holder).get().getStatus().getConditions().get(0)
                .getStatus()).isEqualTo("False");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> pumpPortal().connections().size() >= 2);
        RecordingPumpPortal.Connection second = pumpPortal().connections().get(1);
        System.out.printf("Standby connected %d ms after the leader %s was frozen; Lease holder now %s%n",
                TimeUnit.NANOSECONDS.toMillis(second.openedNanos - frozenAt), holder, leaseHolder());
        assertThat(first.open()).as("the frozen leader's socket stays open while it is frozen").isTrue();

        // frames that wait in the frozen process's socket buffer, then more once it runs again
        List<String> buffered = cluster.sendCreates(first, 5);
        Thread.sleep(3000);
        long continuedAt = System.nanoTime();
        FrozenLeaderSupport.signal("CONT", leader);
        List<String> afterResume = new ArrayList<>();
        if (first.open()) {
            afterResume.addAll(cluster.sendCreates(first, 5));
        }

        await().atMost(CLOSE_AFTER_RESUME).pollInterval(Duration.ofMillis(20)).until(() -> !first.open());
        System.out.printf("The old leader closed its connection %d ms after SIGCONT (frozen %d ms)%n",
                TimeUnit.NANOSECONDS.toMillis(first.closedNanos - continuedAt),
                TimeUnit.NANOSECONDS.toMillis(continuedAt - frozenAt));
        assertThat(first.messagesAfter(continuedAt)).as("messages the old leader sent after SIGCONT").isEmpty();

        // the new leader applies what it gets; the old one applied nothing of what reached it while it was frozen
        RecordingPumpPortal.Connection current = second;
        List<String> control = cluster.sendCreates(current, 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.inRedis(control).size() == 3);
        Thread.sleep(2000);
        assertThat(cluster.inRedis(buffered)).as("frames buffered while frozen, in Redis").isEmpty();
        assertThat(cluster.inRedis(afterResume)).as("frames sent to the old connection after SIGCONT, in Redis")
                .isEmpty();

        // two connections only while the old leader was frozen, ending at most CLOSE_AFTER_RESUME after SIGCONT
        for (RecordingPumpPortal.Overlap overlap : pumpPortal().overlaps()) {
            System.out.printf("Two connections open (%s, %s) for %d ms%n", overlap.older(), overlap.newer(),
                    overlap.millis(System.nanoTime()));
            assertThat(overlap.fromNanos() - frozenAt).as("an overlap starts only after the freeze").isPositive();
            assertThat(overlap.toNanos()).as("the overlap has ended").isNotZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(overlap.toNanos() - continuedAt))
                    .as("overlap end after SIGCONT, ms").isLessThanOrEqualTo(CLOSE_AFTER_RESUME.toMillis());
        }
        assertThat(pumpPortal().open()).containsExactly(second);
        assertThat(leaseHolder()).isNotEqualTo(holder);
        assertThat(leader.process().isAlive()).isTrue();
    }

    RecordingPumpPortal pumpPortal() {
        return cluster.pumpPortal;
    }
}
