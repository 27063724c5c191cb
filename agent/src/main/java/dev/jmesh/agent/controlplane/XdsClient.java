package dev.jmesh.agent.controlplane;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Status;
import dev.jmesh.agent.AgentThreads;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.config.ConfigException;
import dev.jmesh.config.ControlPlaneConfig;
import dev.jmesh.config.LoadResult;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.internal.DnsNameResolverProvider;
import io.grpc.internal.PickFirstLoadBalancerProvider;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.StreamObserver;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code controlPlane.xds}: an xDS v3 client over one ADS stream (state of the world). It subscribes to every
 * cluster (CDS) and route configuration (RDS), and to the endpoints (EDS) of the clusters that use EDS; each
 * response is translated together with what was accepted before ({@link XdsTranslator}), validated by the
 * config loader, and then ACKed and applied, or NACKed with the problems as {@code error_detail} (the previous
 * resources of that type stay). Listeners (LDS) are not subscribed: jmesh has no listeners, and route
 * configurations are asked for by wildcard.
 *
 * <p>All gRPC work runs on {@code jmesh-xds-*} daemon threads; a broken stream is re-opened with back-off
 * (0.5 s doubling to 30 s, jittered) and the last good config stays in force meanwhile. gRPC's providers are
 * registered by hand: the agent jar carries no {@code META-INF/services}.
 */
final class XdsClient {
    static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
    static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    /**
     * gRPC logs through java.util.logging, which would write on the application's stderr (and, with no
     * {@code META-INF/services} in the agent jar, it warns about the providers this class registers itself).
     * jmesh reports what matters in its own lines, so the shaded gRPC's loggers are switched off. Held here:
     * java.util.logging keeps loggers only weakly.
     */
    private static final Logger GRPC_LOGGER = Logger.getLogger(
            ManagedChannel.class.getName().substring(0, ManagedChannel.class.getName().lastIndexOf('.')));
    private static final long MIN_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    /** What was accepted, and the protocol state, of one resource type. */
    private static final class TypeState {
        final String typeUrl;
        Map<String, ? extends Message> accepted = Collections.emptyMap();
        String version = "";
        String nonce = "";
        List<String> names = Collections.emptyList();
        /** A response of this type was accepted since this client started. */
        boolean received;

        TypeState(String typeUrl) {
            this.typeUrl = typeUrl;
        }
    }

    private final ControlPlaneConfig.Xds config;
    private final Node node;
    private final LastGood lastGood;
    private final Outages outages;
    private final ScheduledExecutorService scheduler;
    private final ManagedChannel channel;
    private final Map<String, TypeState> types = new LinkedHashMap<String, TypeState>();
    /** Guards the stream state; every callback of one stream runs serialized on the channel executor anyway. */
    private final Object lock = new Object();
    /** The stream in use, null between a failure and the next attempt. */
    private Stream stream;
    private int failedInARow;

    private XdsClient(ControlPlaneConfig.Xds config, Node node, LastGood lastGood) {
        GRPC_LOGGER.setLevel(Level.OFF);
        this.config = config;
        this.node = node;
        this.lastGood = lastGood;
        this.outages = new Outages(lastGood.source());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new AgentThreads("xds"));
        ExecutorService executor = Executors.newSingleThreadExecutor(new AgentThreads("xds-stream"));
        NameResolverRegistry.getDefaultRegistry().register(new DnsNameResolverProvider());
        LoadBalancerRegistry.getDefaultRegistry().register(new PickFirstLoadBalancerProvider());
        this.channel = OkHttpChannelBuilder.forAddress(config.address().host(), config.address().port())
                .usePlaintext()
                .executor(executor)
                .offloadExecutor(executor)
                .transportExecutor(Executors.newCachedThreadPool(new AgentThreads("xds-transport")))
                .scheduledExecutorService(scheduler)
                .userAgent("jmesh")
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
        types.put(CDS, new TypeState(CDS));
        types.put(EDS, new TypeState(EDS));
        types.put(RDS, new TypeState(RDS));
    }

    /** Connects and follows the server until the JVM exits. */
    static void start(ControlPlaneConfig.Xds config, String service, LastGood lastGood, String version) {
        new XdsClient(config, node(config, service, version), lastGood).connect();
    }

    static Node node(ControlPlaneConfig.Xds config, String service, String version) {
        String id = config.nodeId();
        if (id == null) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            String jvm = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
            id = (service != null ? service : "jmesh") + "~" + host + "~" + jvm.substring(0, Math.max(0, jvm.indexOf('@')));
        }
        Struct.Builder metadata = Struct.newBuilder();
        for (Map.Entry<String, String> e : config.metadata().entrySet()) {
            metadata.putFields(e.getKey(), Value.newBuilder().setStringValue(e.getValue()).build());
        }
        return Node.newBuilder()
                .setId(id)
                .setCluster(config.cluster() != null ? config.cluster() : service != null ? service : "")
                .setMetadata(metadata)
                .setUserAgentName("jmesh")
                .setUserAgentVersion(version)
                .build();
    }

    /** One ADS stream; callbacks of a stream that was given up are ignored. */
    private final class Stream implements StreamObserver<DiscoveryResponse> {
        StreamObserver<DiscoveryRequest> requests;

        @Override
        public void onNext(DiscoveryResponse response) {
            handle(this, response);
        }

        @Override
        public void onError(Throwable t) {
            closed(this, "the xDS stream failed (" + describe(t) + ")");
        }

        @Override
        public void onCompleted() {
            closed(this, "the xDS server closed the stream");
        }
    }

    private void connect() {
        synchronized (lock) {
            Stream opened = new Stream();
            stream = opened;
            opened.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(opened);
            boolean first = true;
            for (TypeState type : types.values()) {
                if (type.typeUrl.equals(EDS) && type.names.isEmpty()) {
                    continue; // asked for once clusters name their endpoints
                }
                send(type, null, first);
                first = false;
            }
        }
    }

    private void handle(Stream from, DiscoveryResponse response) {
        synchronized (lock) {
            if (from != stream) {
                return; // a stream already given up
            }
            failedInARow = 0;
            outages.answered();
            TypeState type = types.get(response.getTypeUrl());
            if (type == null) {
                return; // not subscribed: nothing to acknowledge
            }
            type.nonce = response.getNonce();
            try {
                Map<String, Message> resources = decode(response);
                Map<String, ? extends Message> previous = type.accepted;
                type.accepted = resources;
                String problem = check();
                if (problem != null) {
                    type.accepted = previous;
                    ControlPlaneStats.UPDATES_REJECTED.incrementAndGet();
                    outages.failed("control plane " + lastGood.source() + ": NACKed " + shortType(type.typeUrl)
                            + " version " + response.getVersionInfo() + ", keeping the last good config: " + problem, false);
                    send(type, problem, false);
                    return;
                }
                type.version = response.getVersionInfo();
                type.received = true;
                send(type, null, false);
                if (type.typeUrl.equals(CDS)) {
                    subscribeEndpoints();
                }
                if (complete()) {
                    apply(type, response.getVersionInfo());
                }
            } catch (InvalidProtocolBufferException e) {
                send(type, "cannot decode the resources: " + e.getMessage(), false);
            }
        }
    }

    /** Translates everything accepted (with {@code type}'s candidate) and validates it: null, or the problems. */
    private String check() {
        XdsTranslator.Result result = translate();
        if (result.document == null) {
            return String.join("; ", result.problems);
        }
        try {
            lastGood.check(result.document);
            return null;
        } catch (ConfigException e) {
            // Lines and columns of the generated document mean nothing to the server: the messages name the path.
            StringBuilder problems = new StringBuilder();
            for (dev.jmesh.config.Problem p : e.problems()) {
                problems.append(problems.length() == 0 ? "" : " | ").append(p.message());
            }
            return problems.toString();
        }
    }

    /**
     * Until clusters and route configurations have both been received and every EDS cluster has its endpoints,
     * nothing is applied (the config in force, cached or local, stays): a half-received mesh would send calls
     * nowhere. Envoy's initial fetch waits likewise.
     */
    private boolean complete() {
        if (!types.get(CDS).received || !types.get(RDS).received) {
            return false;
        }
        return types.get(EDS).accepted.keySet().containsAll(types.get(EDS).names);
    }

    private void apply(TypeState type, String version) {
        XdsTranslator.Result result = translate();
        try {
            LoadResult loaded = lastGood.check(result.document);
            lastGood.apply(result.document, loaded, shortType(type.typeUrl) + " " + version);
            outages.applied();
        } catch (ConfigException e) {
            // check() accepted the same resources a moment ago on this thread: cannot happen
            AgentLog.warnOnce("xds-apply", "control plane " + lastGood.source() + ": " + LastGood.join(e.problems()));
        }
    }

    @SuppressWarnings("unchecked")
    private XdsTranslator.Result translate() {
        return XdsTranslator.translate((Map<String, Cluster>) types.get(CDS).accepted,
                (Map<String, ClusterLoadAssignment>) types.get(EDS).accepted,
                (Map<String, RouteConfiguration>) types.get(RDS).accepted);
    }

    /** Asks for the endpoints of every EDS cluster accepted, when that set changed. */
    private void subscribeEndpoints() {
        @SuppressWarnings("unchecked")
        Map<String, Cluster> clusters = (Map<String, Cluster>) types.get(CDS).accepted;
        Set<String> names = XdsTranslator.edsNames(clusters.values());
        TypeState eds = types.get(EDS);
        List<String> wanted = new ArrayList<String>(names);
        Collections.sort(wanted);
        if (!wanted.equals(eds.names)) {
            eds.names = wanted;
            send(eds, null, false);
        }
    }

    private Map<String, Message> decode(DiscoveryResponse response) throws InvalidProtocolBufferException {
        Map<String, Message> resources = new LinkedHashMap<String, Message>();
        for (Any any : response.getResourcesList()) {
            if (response.getTypeUrl().equals(CDS)) {
                Cluster c = any.unpack(Cluster.class);
                resources.put(c.getName(), c);
            } else if (response.getTypeUrl().equals(EDS)) {
                ClusterLoadAssignment a = any.unpack(ClusterLoadAssignment.class);
                resources.put(a.getClusterName(), a);
            } else {
                RouteConfiguration r = any.unpack(RouteConfiguration.class);
                resources.put(r.getName(), r);
            }
        }
        return resources;
    }

    /** An ACK (no error), a NACK (with the error), or a first request of a type. */
    private void send(TypeState type, String error, boolean withNode) {
        DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder()
                .setTypeUrl(type.typeUrl)
                .setVersionInfo(type.version)
                .setResponseNonce(type.nonce)
                .addAllResourceNames(type.names);
        if (withNode || type.nonce.isEmpty()) {
            request.setNode(node);
        }
        if (error != null) {
            request.setErrorDetail(Status.newBuilder().setCode(3 /* INVALID_ARGUMENT */).setMessage(error));
        }
        try {
            stream.requests.onNext(request.build());
        } catch (RuntimeException e) {
            // the stream is broken; onError follows and re-opens it
        }
    }

    private void closed(Stream from, String problem) {
        synchronized (lock) {
            if (from != stream) {
                return;
            }
            stream = null;
            failedInARow++;
            outages.failed("control plane " + lastGood.source() + ": " + problem + "; keeping the last good config", true);
            for (TypeState type : types.values()) {
                type.nonce = ""; // nonces belong to a stream; versions carry over
            }
            long delay = Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(failedInARow - 1, 16));
            delay = (long) (delay * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
            scheduler.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void reconnect() {
        try {
            channel.resetConnectBackoff(); // this client's back-off decides when to try, not the channel's own
            connect();
        } catch (Throwable t) {
            closed(stream, "cannot open the xDS stream (" + t + ")");
        }
    }

    private static String describe(Throwable t) {
        if (t instanceof io.grpc.StatusRuntimeException) {
            io.grpc.Status s = ((io.grpc.StatusRuntimeException) t).getStatus();
            return s.getCode() + (s.getDescription() != null ? ": " + s.getDescription() : "")
                    + (s.getCause() != null ? " (" + s.getCause().getMessage() + ")" : "");
        }
        return t.toString();
    }

    private static String shortType(String typeUrl) {
        return typeUrl.equals(CDS) ? "CDS" : typeUrl.equals(EDS) ? "EDS" : "RDS";
    }
}
