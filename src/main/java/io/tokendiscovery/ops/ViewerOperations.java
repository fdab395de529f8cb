package io.tokendiscovery.ops;

import java.util.Set;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The JMX operations a VIEWER may invoke through Jolokia: the read-only ones Hawtio 5 needs to show its console
 * (STACK.md gotcha 12). Checked against hawtio-next's sources (the {@code execute} calls of its shared, RBAC, Camel and
 * Runtime plugins). Everything not listed here, including every operation of the app's own MBeans (the write-mode
 * switch), stays ADMIN only.
 *
 * <ul>
 *   <li>{@code hawtio:type=security,name=RBACRegistry} {@code list}: Hawtio's first request, the JMX tree;</li>
 *   <li>Hawtio's ACL MBean ({@code hawtio:type=security,area=jmx,...}) {@code canInvoke}: "may I?" questions;</li>
 *   <li>Camel ({@code org.apache.camel}): the route, REST and statistics dumps behind the route list, the route diagram,
 *       the source and profile views, and the endpoint/component listings ({@link #CAMEL}). Not allowed: operations
 *       that change or drain state even though named like a read ({@code dumpAllTracedMessages*} empties the tracer's
 *       queue, {@code dumpRoutes(format)} writes files), and anything that returns message bodies
 *       ({@code browse*}, {@code dumpLatestMessageHistory*}, traced messages);</li>
 *   <li>{@code java.lang:type=Threading} thread dumps (the Runtime plugin's Threads view).</li>
 * </ul>
 */
final class ViewerOperations {

    static final Set<String> CAMEL = Set.of(
            "dumpRoutesAsXml", "dumpRoutesAsYaml", "dumpRouteAsXml", "dumpRouteAsYaml",
            "dumpRoutesStatsAsXml", "dumpRouteStatsAsXml", "dumpRouteStatsAsJSon", "dumpStatsAsXml", "dumpStatsAsJSon",
            "dumpStepStatsAsXml", "dumpProcessorAsXml", "dumpRestsAsXml", "dumpRouteTemplatesAsXml",
            "dumpRouteSourceLocationsAsXml", "dumpRoutesCoverageAsXml",
            "listRestServices", "listEndpoints", "listEndpointServices", "listStatistics", "listTransformers",
            "listValidators", "endpointStatistics", "componentNames", "isUpdateRouteEnabled", "canSendToEndpoint");
    static final Set<String> THREADING = Set.of("dumpAllThreads", "findDeadlockedThreads", "getThreadInfo");

    private ViewerOperations() {}

    /**
     * @param mbean the exact object name of the call (a pattern is never allowed)
     * @param operation the operation, with or without its signature ({@code dumpRoutesStatsAsXml(boolean,boolean)})
     */
    static boolean allowed(String mbean, String operation) {
        if (mbean == null || operation == null) {
            return false;
        }
        ObjectName name;
        try {
            name = new ObjectName(mbean);
        } catch (MalformedObjectNameException e) {
            return false;
        }
        if (name.isPattern()) {
            return false;
        }
        int paren = operation.indexOf('(');
        String op = (paren < 0 ? operation : operation.substring(0, paren)).trim();
        return switch (name.getDomain()) {
            case "hawtio" -> "security".equals(name.getKeyProperty("type"))
                    && ("RBACRegistry".equals(name.getKeyProperty("name")) && op.equals("list")
                        || "jmx".equals(name.getKeyProperty("area")) && op.equals("canInvoke"));
            case "org.apache.camel" -> CAMEL.contains(op);
            case "java.lang" -> "Threading".equals(name.getKeyProperty("type")) && THREADING.contains(op);
            default -> false;
        };
    }
}
