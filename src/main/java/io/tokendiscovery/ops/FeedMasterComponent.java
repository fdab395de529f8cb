package io.tokendiscovery.ops;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.StartupListener;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.master.MasterComponent;
import org.apache.camel.component.master.MasterEndpoint;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.task.BackgroundTask;
import org.apache.camel.support.task.Tasks;
import org.apache.camel.support.task.budget.Budgets;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.util.StringHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The {@code master:} component of the app: camel-master's, with a consumer whose start task ends when the delegate
 * consumer has started.
 *
 * <p>Camel 4.17's {@code MasterConsumer} reports a successful start to its retry task as "not done" ({@code return
 * false; // no more attempts}), so the task runs until its budget is spent and then logs "The task Leadership does
 * not have more budget to continue running" at WARN: once per {@code master:} route on every start and every
 * leadership change, although every consumer started (ten lines in a normal start). Later Camel versions return
 * {@code true}. This consumer does the same as camel-master's (start the delegate consumer while this replica leads
 * the namespace, retrying a failed start every {@code backOffDelay} up to {@code backOffMaxAttempts} times, stop it
 * when the leadership goes) and ends the task on success, so the WARN now means what it says: a consumer that could
 * not be started. Registered as the bean {@code master}, which the component lookup finds before camel-master's.
 */
@Component("master")
public class FeedMasterComponent extends MasterComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // as MasterComponent: master:namespace:delegateUri, the delegate's own parameters passed on raw
        String namespace = StringHelper.before(remaining, ":");
        String delegateUri = StringHelper.after(remaining, ":");
        if (ObjectHelper.isEmpty(namespace) || ObjectHelper.isEmpty(delegateUri)) {
            throw new IllegalArgumentException("Wrong uri syntax : master:namespace:uri, got " + remaining);
        }
        if (!parameters.isEmpty()) {
            delegateUri = delegateUri + uri.substring(uri.indexOf('?'));
        }
        return new FeedMasterEndpoint(uri, this, getService(), namespace, delegateUri);
    }

    static final class FeedMasterEndpoint extends MasterEndpoint {

        private final CamelClusterService clusterService;

        FeedMasterEndpoint(String uri, FeedMasterComponent component, CamelClusterService clusterService,
                String namespace, String delegateUri) {
            super(uri, component, clusterService, namespace, delegateUri);
            this.clusterService = clusterService;
        }

        @Override
        public Consumer createConsumer(Processor processor) throws Exception {
            Consumer consumer = new LeaderConsumer(this, processor, clusterService);
            configureConsumer(consumer);
            return consumer;
        }
    }

    /** Runs the delegate consumer while this replica leads the endpoint's namespace. */
    public static final class LeaderConsumer extends DefaultConsumer {

        private static final Logger log = LoggerFactory.getLogger(LeaderConsumer.class);

        private final FeedMasterEndpoint endpoint;
        private final CamelClusterService clusterService;
        private final Endpoint delegatedEndpoint;
        private final Processor processor;
        private final Lock lock = new ReentrantLock();
        private final CamelClusterEventListener.Leadership listener = (view, leader) -> {
            if (view.getLocalMember().isLeader()) {
                onLeadershipTaken();
            } else {
                onLeadershipLost();
            }
        };
        private ScheduledExecutorService executor;
        private volatile CamelClusterView view;
        private Consumer delegatedConsumer;
        private BackgroundTask starting;

        LeaderConsumer(FeedMasterEndpoint endpoint, Processor processor, CamelClusterService clusterService) {
            super(endpoint, processor);
            this.endpoint = endpoint;
            this.clusterService = clusterService;
            this.delegatedEndpoint = endpoint.getEndpoint();
            this.processor = processor;
        }

        /** Whether this replica leads the namespace (camel-master's managed attribute of the same name). */
        public boolean isMaster() {
            CamelClusterView current = view;
            return current != null && current.getLocalMember().isLeader();
        }

        @Override
        protected void doInit() throws Exception {
            super.doInit();
            executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                    .newSingleThreadScheduledExecutor(this, "Leadership");
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            view = clusterService.getView(endpoint.getNamespace());
            view.addEventListener(listener);
        }

        @Override
        protected void doStop() throws Exception {
            super.doStop();
            if (view != null) {
                view.removeEventListener(listener);
                clusterService.releaseView(view);
                view = null;
            }
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdown(executor);
            lock.lock();
            try {
                ServiceHelper.stopAndShutdownServices(delegatedConsumer, delegatedEndpoint);
                delegatedConsumer = null;
                starting = null;
            } finally {
                lock.unlock();
            }
        }

        private void onLeadershipTaken() {
            lock.lock();
            try {
                if (!isRunAllowed() || delegatedConsumer != null || (starting != null && starting.isRunning())) {
                    return;
                }
                MasterComponent component = endpoint.getComponent();
                BackgroundTask task = Tasks.backgroundTask()
                        .withScheduledExecutor(executor)
                        .withBudget(Budgets.iterationTimeBudget()
                                .withInterval(Duration.ofMillis(component.getBackOffDelay()))
                                .withInitialDelay(Duration.ZERO)
                                .withMaxIterations(component.getBackOffMaxAttempts())
                                .build())
                        .withName("Leadership")
                        .build();
                starting = task;
                task.schedule(getEndpoint().getCamelContext(), () -> startDelegate(task));
            } finally {
                lock.unlock();
            }
        }

        /** @return true when nothing is left to do (started, or no longer wanted); false to try again */
        private boolean startDelegate(BackgroundTask task) {
            lock.lock();
            try {
                CamelClusterView current = view;
                if (!isRunAllowed() || current == null || !current.getLocalMember().isLeader()
                        || delegatedConsumer != null) {
                    return true;
                }
                log.info("Leadership taken. Attempt #{} to start consumer: {}", task.iteration(), delegatedEndpoint);
                Consumer consumer = null;
                try {
                    consumer = delegatedEndpoint.createConsumer(processor);
                    if (consumer instanceof StartupListener startupListener) {
                        getEndpoint().getCamelContext().addStartupListener(startupListener);
                    }
                    ServiceHelper.startService(delegatedEndpoint, consumer);
                } catch (Exception e) {
                    ServiceHelper.stopAndShutdownServices(consumer);
                    getExceptionHandler().handleException("Leadership taken. Attempt #" + task.iteration()
                            + " failed to start consumer due to: " + e.getMessage(), e);
                    return false;
                }
                delegatedConsumer = consumer;
                log.info("Leadership taken. Attempt #{} success. Consumer started: {}", task.iteration(),
                        delegatedEndpoint);
                return true;
            } finally {
                lock.unlock();
            }
        }

        private void onLeadershipLost() {
            lock.lock();
            try {
                if (delegatedConsumer == null) {
                    return;
                }
                try {
                    ServiceHelper.stopAndShutdownServices(delegatedConsumer, delegatedEndpoint);
                } finally {
                    delegatedConsumer = null;
                }
                log.info("Leadership lost. Consumer stopped: {}", delegatedEndpoint);
            } finally {
                lock.unlock();
            }
        }
    }
}
