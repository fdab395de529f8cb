package io.tokendiscovery.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import io.tokendiscovery.RequiredTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests of {@code k8s/} (and {@code routes/kustomization.yaml}) are valid and keep the policies of
 * issue #7. No cluster and no Spring context: every document is parsed into fabric8's typed models (the ones the
 * Kubernetes client itself uses) and any field those models do not know (a typo, a wrong indentation, a field of a
 * newer API) fails the test; custom resources (ServiceMonitor, PrometheusRule) get shape checks.
 *
 * <p>The raw files are checked everywhere. The rendered overlays (what {@code kubectl apply -k} would send) are
 * checked when {@code kustomize} or {@code kubectl} is on the PATH (Debian's google-cloud-cli-kubectl package, on
 * this project's machines, has kustomize built in); without either binary those tests are skipped, never faked.
 */
class KubernetesManifestsTest {

    static final String APP = "token-discovery";
    static final Map<String, String> POD_LABELS = Map.of("app.kubernetes.io/name", APP);
    static final Path K8S = Path.of("k8s");
    static final Path ROUTES = Path.of("routes");
    static final Path SQL = ROUTES.resolve("sql");
    /** The Secret's keys the Deployment reads; the Secret itself is created outside git (docs/deploy.md). */
    static final List<String> SECRET_KEYS = List.of("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME",
            "SPRING_DATASOURCE_PASSWORD", "SPRING_DATA_REDIS_URL", "PUMPPORTAL_API_KEY",
            "TOKENDISCOVERY_SECURITY_ADMIN_PASSWORD", "TOKENDISCOVERY_SECURITY_VIEWER_PASSWORD");
    /** Spring Boot's default for the graceful HTTP shutdown (spring.lifecycle.timeout-per-shutdown-phase). */
    static final Duration DEFAULT_SHUTDOWN_PHASE = Duration.ofSeconds(30);

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    // ---------------------------------------------------------------------------------------------------------
    // The raw files: always checked
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void everyManifestFileParsesIntoTypedModelsWithoutUnknownFields() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .filter(p -> !p.startsWith(K8S.resolve("base/config")))
                    .sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : files) {
            List<HasMetadata> resources = parse(Files.readString(file));
            assertThat(resources).as("%s holds Kubernetes documents", file).isNotEmpty();
            resources.forEach(resource -> assertValid(file.toString(), resource));
        }
    }

    @Test
    void theUnknownFieldCheckCatchesTyposAndStrayIndentation() {
        HasMetadata typo = parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicaz: 3
                  template:
                    spec:
                      containers:
                        - name: x
                          image: x
                          securityContext:
                            readOnlyRootFileSystem: true
                """).get(0);
        assertThat(unknownFields(typo)).containsExactlyInAnyOrder(
                "spec: [replicaz]", "spec.template.spec.containers[0].securityContext: [readOnlyRootFileSystem]");

        HasMetadata wrongApiVersion = parse("apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: x}\n").get(0);
        assertThat(wrongApiVersion).isInstanceOf(GenericKubernetesResource.class);
    }

    @Test
    void routesKustomizationListsEveryRouteAndSqlFile() throws IOException {
        Map<String, Object> kustomization = yamlMap(ROUTES.resolve("kustomization.yaml"));
        Map<String, List<String>> generated = generatorFiles(kustomization, "configMapGenerator");
        assertThat(generated.get(APP + "-routes")).as("routes/kustomization.yaml lists every routes/*.camel.yaml")
                .containsExactlyInAnyOrderElementsOf(fileNames(ROUTES, ".camel.yaml"));
        assertThat(generated.get(APP + "-sql")).as("routes/kustomization.yaml lists every routes/sql/*.sql")
                .containsExactlyInAnyOrderElementsOf(fileNames(SQL, ".sql").stream().map(f -> "sql/" + f).toList());
    }

    @Test
    void baseDeploymentKeepsThePodPolicy() throws IOException {
        Deployment deployment = baseDeployment();
        assertPodPolicy(deployment);
        assertConfigVolumes(deployment.getSpec().getTemplate().getSpec(), name -> name);
        // The figures measured in docs/benchmarks.md (overlays may raise them).
        Map<String, Quantity> limits = container(deployment).getResources().getLimits();
        Map<String, Quantity> requests = container(deployment).getResources().getRequests();
        assertThat(limits.get("memory")).isEqualTo(new Quantity("1Gi"));
        assertThat(limits.get("cpu")).isEqualTo(new Quantity("2"));
        assertThat(requests.get("memory")).isEqualTo(new Quantity("768Mi"));
        assertThat(requests.get("cpu")).isEqualTo(new Quantity("500m"));
    }

    @Test
    void theShutdownSequenceFitsTheGracePeriod() throws IOException {
        Deployment deployment = baseDeployment();
        Map<String, Object> packaged = yamlMap(Path.of("src/main/resources/application.yaml"));
        Map<String, Object> override = yamlMap(K8S.resolve("base/config/application-kubernetes.yaml"));

        Duration preStop = Duration.ofSeconds(Long.parseLong(
                container(deployment).getLifecycle().getPreStop().getExec().getCommand().get(1)));
        Duration httpDrain = property(override, "spring.lifecycle.timeout-per-shutdown-phase")
                .or(() -> property(packaged, "spring.lifecycle.timeout-per-shutdown-phase"))
                .map(KubernetesManifestsTest::duration).orElse(DEFAULT_SHUTDOWN_PHASE);
        Duration finalSync = property(override, "tokendiscovery.sync.shutdown-timeout")
                .or(() -> property(packaged, "tokendiscovery.sync.shutdown-timeout"))
                .map(KubernetesManifestsTest::duration).orElseThrow();
        long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();

        assertThat(grace).isGreaterThanOrEqualTo(45);
        assertThat(Duration.ofSeconds(grace))
                .as("terminationGracePeriodSeconds covers preStop %s + HTTP drain %s + final sync %s",
                        preStop, httpDrain, finalSync)
                .isGreaterThan(preStop.plus(httpDrain).plus(finalSync));
    }

    @Test
    void baseAndProdContainNoSecretValues() throws IOException {
        for (Path dir : List.of(K8S.resolve("base"), K8S.resolve("overlays/prod"), ROUTES)) {
            Map<String, Object> kustomization = yamlMap(dir.resolve("kustomization.yaml"));
            assertThat(kustomization).as("%s generates no Secret", dir).doesNotContainKey("secretGenerator");
        }
        try (Stream<Path> walk = Stream.concat(Files.walk(K8S.resolve("base")), Files.walk(K8S.resolve("overlays/prod")))) {
            for (Path file : walk.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertThat(Files.readString(file)).as("%s holds no Secret", file).doesNotContainPattern("(?m)^kind:\\s*Secret");
            }
        }
        // Secret values reach the app only by reference, from the one Secret of docs/deploy.md.
        Container app = container(baseDeployment());
        Map<String, EnvVar> fromSecret = app.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(fromSecret.keySet()).containsExactlyInAnyOrderElementsOf(SECRET_KEYS);
        fromSecret.forEach((name, env) -> {
            assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo(APP + "-secrets");
            assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo(name);
        });
        assertThat(app.getEnvFrom()).isNullOrEmpty();
        assertThat(app.getEnv()).filteredOn(e -> SECRET_KEYS.contains(e.getName()))
                .allSatisfy(e -> assertThat(e.getValue()).isNull());
    }

    @Test
    void leaderElectionRbacGrantsLeasesAndPodReadsOnly() throws IOException {
        List<HasMetadata> rbac = parse(Files.readString(K8S.resolve("base/rbac.yaml")));
        Role role = only(rbac, Role.class);
        RoleBinding binding = only(rbac, RoleBinding.class);
        assertThat(role.getRules()).allSatisfy(rule -> {
            assertThat(rule.getVerbs()).doesNotContain("*", "delete", "deletecollection");
            assertThat(rule.getResources()).doesNotContain("*");
        });
        PolicyRule leases = rule(role, "coordination.k8s.io", "leases");
        assertThat(leases.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch");
        PolicyRule pods = rule(role, "", "pods");
        assertThat(pods.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");

        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        String serviceAccount = baseDeployment().getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
            assertThat(subject.getKind()).isEqualTo("ServiceAccount");
            assertThat(subject.getName()).isEqualTo(serviceAccount);
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // The rendered kustomizations: checked where kustomize or kubectl is installed
    // ---------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void renderedKustomizationIsValidAndConsistent(String dir) throws IOException {
        List<HasMetadata> resources = render(K8S.resolve(dir));
        resources.forEach(resource -> assertValid(dir, resource));

        Deployment deployment = only(resources, Deployment.class);
        assertPodPolicy(deployment);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();

        // The generated ConfigMaps hold exactly the repository's files, under hashed names the Deployment uses.
        Map<String, ConfigMap> configMaps = resources.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .collect(Collectors.toMap(c -> c.getMetadata().getName(), c -> c));
        ConfigMap routes = generated(configMaps, APP + "-routes");
        ConfigMap sql = generated(configMaps, APP + "-sql");
        ConfigMap config = generated(configMaps, APP + "-config");
        assertThat(routes.getData()).isEqualTo(contents(ROUTES, ".camel.yaml"));
        assertThat(sql.getData()).isEqualTo(contents(SQL, ".sql"));
        assertThat(config.getData()).isEqualTo(Map.of("application-kubernetes.yaml",
                Files.readString(K8S.resolve("base/config/application-kubernetes.yaml"))));
        configMaps.values().forEach(c -> assertThat(c.getData().values().stream().mapToInt(String::length).sum())
                .as("%s stays far below the 256 KiB of kubectl apply's last-applied annotation", c.getMetadata().getName())
                .isLessThan(128 * 1024));
        assertConfigVolumes(pod, name -> generated(configMaps, name).getMetadata().getName());

        // Selectors meet: Service, PDB, NetworkPolicy and ServiceMonitor all pick the Deployment's pods.
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(POD_LABELS);
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(POD_LABELS);
        Service service = only(resources, Service.class, APP);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).isEqualTo(POD_LABELS);
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("http", 8080),
                        org.assertj.core.groups.Tuple.tuple("live", 8081));
        PodDisruptionBudget pdb = only(resources, PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(POD_LABELS);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertNetworkPolicy(only(resources, NetworkPolicy.class));

        // The ServiceAccount exists and the RoleBinding names it in the namespace it lands in.
        assertThat(names(resources, "ServiceAccount")).contains(pod.getServiceAccountName());
        RoleBinding binding = only(resources, RoleBinding.class);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
            assertThat(s.getNamespace()).isEqualTo(deployment.getMetadata().getNamespace());
        });

        if (!dir.equals("overlays/dev")) {
            assertMonitoring(resources, service);
        }
    }

    @Test
    void prodRunsThreeSpreadReplicasOfAPinnedImageWithNoSecret() throws IOException {
        List<HasMetadata> resources = render(K8S.resolve("overlays/prod"));
        Deployment deployment = only(resources, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        String image = container(deployment).getImage();
        assertThat(image.substring(image.lastIndexOf('/') + 1)).as("prod pins its image by tag or digest")
                .containsAnyOf(":", "@sha256:").doesNotEndWith(":latest").doesNotContain("SNAPSHOT");
        assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .anySatisfy(c -> {
                    assertThat(c.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
                    assertThat(c.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
                    assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(POD_LABELS);
                });
        assertThat(resources).noneMatch(Secret.class::isInstance);
        assertThat(resources).allSatisfy(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo(APP));
    }

    @Test
    void devRunsOneReplicaWithItsOwnRedisPostgresAndADevSecret() throws IOException {
        List<HasMetadata> resources = render(K8S.resolve("overlays/dev"));
        Deployment deployment = only(resources, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);

        Secret secret = only(resources, Secret.class);
        assertThat(secret.getMetadata().getName()).startsWith(APP + "-secrets-");
        Map<String, String> values = decoded(secret);
        assertThat(values.keySet()).containsAll(SECRET_KEYS.stream().filter(k -> !k.equals("PUMPPORTAL_API_KEY")).toList());
        assertThat(values.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://postgres:5432/token_discovery");
        assertThat(values.get("SPRING_DATA_REDIS_URL")).startsWith("redis://redis:6379");
        assertThat(values.get("SPRING_DATASOURCE_PASSWORD")).startsWith("dev-only");
        assertThat(container(deployment).getEnv()).filteredOn(e -> SECRET_KEYS.contains(e.getName()))
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret.getMetadata().getName()));

        StatefulSet redis = only(resources, StatefulSet.class, "redis");
        Container redisContainer = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(redisContainer.getImage()).isEqualTo("redis:7");
        assertThat(String.join(" ", redisContainer.getArgs())).contains("--appendonly yes", "--appendfsync everysec");
        assertThat(redis.getSpec().getVolumeClaimTemplates()).isNotEmpty();
        assertThat(only(resources, Service.class, "redis").getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(6379);

        StatefulSet postgres = only(resources, StatefulSet.class, "postgres");
        Container postgresContainer = postgres.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(postgresContainer.getImage()).isEqualTo("postgres:15");
        assertThat(postgresContainer.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POSTGRES_DB");
            assertThat(e.getValue()).isEqualTo("token_discovery");
        });
        assertThat(postgres.getSpec().getVolumeClaimTemplates()).isNotEmpty();
        assertThat(only(resources, Service.class, "postgres").getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(5432);

        // A bare dev cluster has no Prometheus Operator CRDs.
        assertThat(resources).noneMatch(r -> r.getApiVersion().startsWith("monitoring.coreos.com/"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Policies
    // ---------------------------------------------------------------------------------------------------------

    static void assertPodPolicy(Deployment deployment) {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(deployment.getMetadata().getName()).isEqualTo(APP);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(POD_LABELS);
        assertThat(pod.getServiceAccountName()).isEqualTo(APP);
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(45L);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getFsGroup()).isNotNull();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        assertThat(pod.getContainers()).hasSize(1);
        Container app = pod.getContainers().get(0);
        assertThat(app.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(app.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(app.getSecurityContext().getCapabilities().getDrop()).contains("ALL");
        assertThat(app.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(app.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);

        // With a read-only root, every writable mount must be scratch space, and /tmp must be one.
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        for (VolumeMount mount : app.getVolumeMounts()) {
            assertThat(volumes).as("volume of %s", mount.getMountPath()).containsKey(mount.getName());
            if (!Boolean.TRUE.equals(mount.getReadOnly())) {
                assertThat(volumes.get(mount.getName()).getEmptyDir()).as("writable mount %s is an emptyDir", mount.getMountPath()).isNotNull();
            }
        }
        assertThat(app.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));

        for (String kind : List.of("cpu", "memory")) {
            Quantity request = app.getResources().getRequests().get(kind);
            Quantity limit = app.getResources().getLimits().get(kind);
            assertThat(request).as("%s request", kind).isNotNull();
            assertThat(limit).as("%s limit", kind).isNotNull();
            assertThat(request.getNumericalAmount()).as("%s request <= limit", kind).isLessThanOrEqualTo(limit.getNumericalAmount());
        }

        assertThat(app.getPorts()).extracting(p -> p.getName() + "=" + p.getContainerPort())
                .containsExactlyInAnyOrder("http=8080", "live=8081");
        assertHttpProbe(app.getStartupProbe(), "/actuator/health/liveness");
        assertHttpProbe(app.getLivenessProbe(), "/actuator/health/liveness");
        assertHttpProbe(app.getReadinessProbe(), "/actuator/health/readiness");
        assertThat(app.getStartupProbe().getFailureThreshold() * app.getStartupProbe().getPeriodSeconds())
                .as("startup allowance in seconds (the app starts in about 15 s)").isGreaterThanOrEqualTo(60);
        assertThat(app.getLifecycle().getPreStop().getExec().getCommand()).first().isEqualTo("sleep");

        Map<String, EnvVar> env = app.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get("SPRING_PROFILES_ACTIVE").getValue()).isEqualTo("kubernetes");
        assertThat(env.get("SPRING_CONFIG_ADDITIONAL_LOCATION").getValue()).isEqualTo("optional:file:/app/config/");
        assertThat(env.get("JAVA_TOOL_OPTIONS").getValue()).contains("-XX:MaxRAMPercentage=60");
        assertThat(env.get("PUMPPORTAL_URL").getValue()).isEqualTo("wss://pumpportal.fun/api/data");
        assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    }

    static void assertHttpProbe(Probe probe, String path) {
        assertThat(probe).as("probe on %s", path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    /** /app/routes = the routes ConfigMap plus the SQL ConfigMap under sql/; /app/config = the config override. */
    static void assertConfigVolumes(PodSpec pod, java.util.function.UnaryOperator<String> actualName) throws IOException {
        Container app = pod.getContainers().get(0);
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        Volume routes = volumes.get(mountAt(app, "/app/routes").getName());
        List<VolumeProjection> sources = routes.getProjected().getSources();
        assertThat(sources).extracting(s -> s.getConfigMap().getName())
                .containsExactly(actualName.apply(APP + "-routes"), actualName.apply(APP + "-sql"));
        assertThat(sources.get(0).getConfigMap().getItems()).as("every route file, at the top level").isNullOrEmpty();
        List<String> sqlFiles = fileNames(SQL, ".sql");
        assertThat(sources.get(1).getConfigMap().getItems()).as("the Deployment maps every routes/sql/*.sql under sql/")
                .extracting(i -> i.getKey() + "->" + i.getPath())
                .containsExactlyInAnyOrderElementsOf(sqlFiles.stream().map(f -> f + "->sql/" + f).toList());
        Volume config = volumes.get(mountAt(app, "/app/config").getName());
        assertThat(config.getConfigMap().getName()).isEqualTo(actualName.apply(APP + "-config"));
    }

    static void assertNetworkPolicy(NetworkPolicy policy) {
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(POD_LABELS);
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(ports(policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())))
                .containsExactlyInAnyOrder("TCP/8080", "TCP/8081");
        assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getFrom())
                .anySatisfy(peer -> assertThat(peer.getPodSelector()).isNotNull()) // the whole namespace
                .anySatisfy(peer -> assertThat(Optional.ofNullable(peer.getNamespaceSelector()).map(s -> s.getMatchLabels()).orElse(Map.of()))
                        .containsEntry("kubernetes.io/metadata.name", "monitoring")));
        assertThat(ports(policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())))
                .containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/6379", "TCP/443", "TCP/6443");
    }

    @SuppressWarnings("unchecked")
    static void assertMonitoring(List<HasMetadata> resources, Service service) {
        HasMetadata monitor = only(resources, "ServiceMonitor");
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        Map<String, Object> spec = (Map<String, Object>) SERIALIZATION.convertValue(monitor, Map.class).get("spec");
        assertThat(spec).containsOnlyKeys("selector", "endpoints");
        assertThat((Map<String, Object>) spec.get("selector")).isEqualTo(Map.of("matchLabels", POD_LABELS));
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(POD_LABELS);
        assertThat((List<Map<String, Object>>) spec.get("endpoints")).singleElement()
                .isEqualTo(Map.of("port", "http", "path", "/actuator/prometheus", "interval", "30s"));

        HasMetadata rule = only(resources, "PrometheusRule");
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        Map<String, Object> ruleSpec = (Map<String, Object>) SERIALIZATION.convertValue(rule, Map.class).get("spec");
        assertThat(ruleSpec.get("groups")).isInstanceOf(List.class);
        // the same rules promtool checks and tests (ops/prometheus), not a drifting copy
        try {
            Map<String, Object> rules = new org.yaml.snakeyaml.Yaml().load(
                    Files.readString(Path.of("ops/prometheus/token-discovery-rules.yaml")));
            assertThat(SERIALIZATION.convertValue(ruleSpec.get("groups"), List.class))
                    .as("k8s/base/prometheus-rule.yaml spec.groups == ops/prometheus/token-discovery-rules.yaml groups")
                    .isEqualTo(SERIALIZATION.convertValue(rules.get("groups"), List.class));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Parsing, rendering and the unknown-field walk
    // ---------------------------------------------------------------------------------------------------------

    /** Typed models for built-in kinds; a custom resource is a GenericKubernetesResource and must be one we know. */
    static void assertValid(String where, HasMetadata resource) {
        String id = where + ": " + resource.getKind() + "/" + (resource.getMetadata() == null ? "?" : resource.getMetadata().getName());
        assertThat(resource.getMetadata()).as("%s has metadata", id).isNotNull();
        assertThat(resource.getMetadata().getName()).as("%s has a name", id).isNotBlank();
        if (resource instanceof GenericKubernetesResource) {
            assertThat(resource.getApiVersion() + " " + resource.getKind())
                    .as("%s: only the Prometheus Operator's kinds may be untyped (a typo in apiVersion/kind lands here)", id)
                    .isIn("monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule");
        } else {
            assertThat(unknownFields(resource)).as("%s: fields the Kubernetes API does not know", id).isEmpty();
        }
    }

    /** Every non-empty additionalProperties map in a fabric8 model graph: where Jackson put fields it did not know. */
    static List<String> unknownFields(Object model) {
        List<String> found = new ArrayList<>();
        walk(model, "", found, Collections.newSetFromMap(new IdentityHashMap<>()));
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Set<Object> seen) {
        if (node == null || !seen.add(node)) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found, seen));
            return;
        }
        if (node instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.") || node instanceof GenericKubernetesResource) {
            return;
        }
        for (Class<?> type = node.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                Object value;
                try {
                    field.setAccessible(true);
                    value = field.get(node);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new AssertionError("cannot read " + type.getName() + "." + field.getName(), e);
                }
                if (field.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        found.add((path.isEmpty() ? "" : path.substring(1)) + ": " + new ArrayList<>(new TreeMap<>(extra).keySet()));
                    }
                } else {
                    walk(value, path + "." + field.getName(), found, seen);
                }
            }
        }
    }

    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> resources = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (new Yaml().load(document) == null) {
                continue; // blank or comments only
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            assertThat(parsed).as("a Kubernetes object:%n%s", document).isInstanceOf(HasMetadata.class);
            resources.add((HasMetadata) parsed);
        }
        return resources;
    }

    /**
     * {@code kustomize build DIR} or {@code kubectl kustomize DIR}; skipped locally when neither exists, failed in CI
     * (.ci/run installs kubectl from Debian's kubernetes-client).
     */
    static List<HasMetadata> render(Path dir) throws IOException {
        Optional<Path> kustomize = RequiredTools.find("kustomize");
        Path tool = RequiredTools.require(kustomize.or(() -> RequiredTools.find("kubectl")),
                "neither kustomize nor kubectl is on the PATH: rendered manifests not checked");
        List<String> command = kustomize.isPresent() ? List.of(tool.toString(), "build", dir.toString())
                : List.of(tool.toString(), "kustomize", dir.toString());
        Path errors = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("%s timed out", command);
            }
            assertThat(process.exitValue()).as("%s failed: %s", command, Files.readString(errors)).isZero();
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    static Deployment baseDeployment() throws IOException {
        return only(parse(Files.readString(K8S.resolve("base/deployment.yaml"))), Deployment.class);
    }

    static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static VolumeMount mountAt(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> type) {
        List<T> matches = resources.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matches).as("exactly one %s", type.getSimpleName()).hasSize(1);
        return matches.get(0);
    }

    static <T extends HasMetadata> T only(List<HasMetadata> resources, Class<T> type, String name) {
        return resources.stream().filter(type::isInstance).map(type::cast)
                .filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    static HasMetadata only(List<HasMetadata> resources, String kind) {
        List<HasMetadata> matches = resources.stream().filter(r -> r.getKind().equals(kind)).toList();
        assertThat(matches).as("exactly one %s", kind).hasSize(1);
        return matches.get(0);
    }

    static List<String> names(List<HasMetadata> resources, String kind) {
        return resources.stream().filter(r -> r.getKind().equals(kind)).map(r -> r.getMetadata().getName()).toList();
    }

    /** The ConfigMap generated from {@code name}: the name plus kustomize's content hash. */
    static ConfigMap generated(Map<String, ConfigMap> configMaps, String name) {
        List<ConfigMap> matches = configMaps.values().stream()
                .filter(c -> c.getMetadata().getName().matches("\\Q" + name + "\\E-[a-z0-9]{10}")).toList();
        assertThat(matches).as("one hashed ConfigMap %s-<hash>", name).hasSize(1);
        return matches.get(0);
    }

    static PolicyRule rule(Role role, String apiGroup, String resource) {
        return role.getRules().stream()
                .filter(r -> r.getApiGroups().contains(apiGroup) && r.getResources().contains(resource))
                .findFirst().orElseThrow(() -> new AssertionError("no rule for " + resource));
    }

    static List<String> ports(Stream<NetworkPolicyPort> ports) {
        return ports.map(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).toList();
    }

    static Map<String, String> decoded(Secret secret) {
        Map<String, String> values = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> values.put(k, new String(java.util.Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            values.putAll(secret.getStringData());
        }
        return values;
    }

    static List<String> fileNames(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }

    static Map<String, String> contents(Path dir, String suffix) throws IOException {
        Map<String, String> contents = new TreeMap<>();
        for (String name : fileNames(dir, suffix)) {
            contents.put(name, Files.readString(dir.resolve(name)));
        }
        return contents;
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<String>> generatorFiles(Map<String, Object> kustomization, String generator) {
        Map<String, List<String>> files = new LinkedHashMap<>();
        for (Map<String, Object> entry : (List<Map<String, Object>>) kustomization.get(generator)) {
            files.put((String) entry.get("name"), (List<String>) entry.get("files"));
        }
        return files;
    }

    static Map<String, Object> yamlMap(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    /** A dotted property from a nested YAML map, also when written flat ("a.b: x") at some level. */
    @SuppressWarnings("unchecked")
    static Optional<String> property(Map<String, Object> yaml, String name) {
        if (yaml == null) {
            return Optional.empty();
        }
        if (yaml.containsKey(name)) {
            return Optional.of(String.valueOf(yaml.get(name)));
        }
        for (Map.Entry<String, Object> entry : yaml.entrySet()) {
            if (name.startsWith(entry.getKey() + ".") && entry.getValue() instanceof Map<?, ?> child) {
                Optional<String> found = property((Map<String, Object>) child, name.substring(entry.getKey().length() + 1));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Spring Boot's duration forms used here: 20s, 500ms, 1m, 2h, or ISO-8601. */
    static Duration duration(String value) {
        String v = value.trim();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.parse(v);
            };
        } catch (NumberFormatException e) {
            try {
                return Duration.parse(v);
            } catch (DateTimeParseException notIso) {
                throw new AssertionError("not a duration: " + value, notIso);
            }
        }
    }
}
