package io.tokendiscovery.ops;

import io.tokendiscovery.sync.WriteMode;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Registers {@link WriteModeSwitch} through Camel's JMX agent, so it lives and dies with the CamelContext's MBeans
 * (the agent unregisters it when the context stops) and takes the context's management name, which Camel keeps
 * unique in the MBeanServer. With Camel's JMX off there is no MBean: the {@code writemode} endpoint remains.
 */
@Component
public class WriteModeJmxRegistration implements CamelContextConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WriteModeJmxRegistration.class);

    private final WriteMode writeMode;

    public WriteModeJmxRegistration(WriteMode writeMode) {
        this.writeMode = writeMode;
    }

    @Override
    public void beforeApplicationStart(CamelContext camel) {
        // registered once the context has its management name
    }

    @Override
    public void afterApplicationStart(CamelContext camel) {
        ManagementAgent agent = camel.getManagementStrategy() == null ? null
                : camel.getManagementStrategy().getManagementAgent();
        if (agent == null) {
            log.debug("Camel JMX is off: no WriteMode MBean (the writemode endpoint remains)");
            return;
        }
        try {
            ObjectName name = objectName(camel);
            agent.register(new WriteModeSwitch(writeMode), name);
            log.debug("Registered the write-mode switch as {}", name);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register the WriteMode MBean", e);
        }
    }

    static ObjectName objectName(CamelContext camel) throws Exception {
        return new ObjectName("io.tokendiscovery:type=WriteMode,context=" + ObjectName.quote(camel.getManagementName()));
    }
}
