package io.tokendiscovery.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SimulatorConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    static class VertxBean {
        @Bean(destroyMethod = "close")
        Vertx vertx() {
            return Vertx.vertx();
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(VertxBean.class, SimulatorConfiguration.class)
            .withPropertyValues("tokendiscovery.simulator.frames-per-second=0");

    @Test
    void startsWhenNoFeedUrlIsConfigured() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(PumpPortalSimulator.class);
            PumpPortalSimulator sim = ctx.getBean(PumpPortalSimulator.class);
            assertThat(sim.isRunning()).isTrue();
            assertThat(sim.url()).startsWith("ws://127.0.0.1:").endsWith("/api/data");
        });
    }

    @Test
    void startsWhenTheFeedUrlIsBlank() {
        runner.withPropertyValues("tokendiscovery.pumpportal.url=")
                .run(ctx -> assertThat(ctx).hasSingleBean(PumpPortalSimulator.class));
    }

    @Test
    void staysOffWhenARealFeedIsConfigured() {
        runner.withPropertyValues("tokendiscovery.pumpportal.url=wss://pumpportal.fun/api/data")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(PumpPortalSimulator.class));
    }

    @Test
    void explicitSettingWins() {
        runner.withPropertyValues("tokendiscovery.pumpportal.url=wss://pumpportal.fun/api/data",
                        "tokendiscovery.simulator.enabled=true")
                .run(ctx -> assertThat(ctx).hasSingleBean(PumpPortalSimulator.class));
        runner.withPropertyValues("tokendiscovery.simulator.enabled=false")
                .run(ctx -> assertThat(ctx).doesNotHaveBean(PumpPortalSimulator.class));
    }

    @Test
    void bindsPropertiesWithRelaxedNames() {
        runner.withPropertyValues(
                        "tokendiscovery.simulator.path=/feed",
                        "tokendiscovery.simulator.seed=7",
                        "tokendiscovery.simulator.api-keys=a,b",
                        "tokendiscovery.simulator.maxActiveMints=9",
                        "tokendiscovery.simulator.bonk-share=0.5")
                .run(ctx -> {
                    SimulatorProperties p = ctx.getBean(SimulatorProperties.class);
                    assertThat(p.getPath()).isEqualTo("/feed");
                    assertThat(p.getSeed()).isEqualTo(7L);
                    assertThat(p.getApiKeys()).containsExactly("a", "b");
                    assertThat(p.getMaxActiveMints()).isEqualTo(9);
                    assertThat(p.getBonkShare()).isEqualTo(0.5);
                    assertThat(p.getFramesPerSecond()).isZero();
                    PumpPortalSimulator sim = ctx.getBean(PumpPortalSimulator.class);
                    assertThat(sim.url()).endsWith("/feed");
                    assertThat(sim.market().seed()).isEqualTo(7L);
                });
    }

    @Test
    void rejectsInvalidSettingsAtStartup() {
        runner.withPropertyValues("tokendiscovery.simulator.create-share=1.5")
                .run(ctx -> assertThat(ctx).hasFailed());
    }
}
