package io.tokendiscovery.bench;

import com.sun.tools.attach.VirtualMachine;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Runs the app's sync route once, now, from outside: attaches to the app's JVM (local attach API, no port or flag
 * needed), and calls the Camel context MBean's {@code requestBody("direct:redis-to-db-sync", null)}, which runs the
 * route to its end in the calling thread. The sync's own cron is far in the future in these runs, so nothing else
 * syncs.
 */
final class SyncTrigger implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection mbeans;
    private final ObjectName context;

    SyncTrigger(long pid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String url;
        try {
            url = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        this.connector = JMXConnectorFactory.connect(new JMXServiceURL(url));
        this.mbeans = connector.getMBeanServerConnection();
        Set<ObjectName> contexts = mbeans.queryNames(new ObjectName("org.apache.camel:type=context,*"), null);
        if (contexts.size() != 1) {
            throw new IllegalStateException("Expected one Camel context MBean, found " + contexts);
        }
        this.context = contexts.iterator().next();
    }

    /** @return wall-clock milliseconds of the call (the route ran in it) */
    double syncNow() throws Exception {
        long start = System.nanoTime();
        mbeans.invoke(context, "requestBody", new Object[] {"direct:redis-to-db-sync", null},
                new String[] {String.class.getName(), Object.class.getName()});
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
