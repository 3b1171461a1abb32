// Package systems holds the systems test: the real programs of a traced
// Kubernetes node, end to end, on one machine. A kubelet built from
// k8s.io/kubernetes runs standalone with a static pod, talking CRI to the
// crio-trace daemon in forward mode, in front of upstream containerd built
// with its tracing plugins. kubelet, crio-trace and containerd export OTLP to
// an OpenTelemetry Collector built from hack/systems/collector/builder.yaml,
// which batches and sends the spans to Jaeger over OTLP and, in Zipkin
// format, to a second Jaeger's Zipkin receiver, and turns them into per-RPC
// metrics that Prometheus (Debian's package) scrapes.
//
// The test asserts one trace from kubelet's syncPod down to containerd's
// SERVER spans, with the pod's attributes on crio-trace's spans, and the
// per-RPC call counts and duration histograms in Prometheus; it prints the
// trace as a waterfall and keeps the HTML. A second test measures pod start
// (manifest added → container running) with kubelet talking to containerd
// directly and through crio-trace with tracing off and on, and logs the
// medians; no timing is asserted.
//
// Everything listens on 127.0.0.1 or on unix sockets in temporary
// directories. The kubelet runs in its own mount namespace (unshare) with
// the sysctls it sets bind-mounted from files and /var/lib, /var/log bound
// to temporary directories, so it cannot change the host; after the run the
// test checks that no process, mount, sysctl value, iptables table or
// cgroup it created is left.
//
// The tests need root and the tools hack/systems/build-tools.sh builds (plus
// hack/install-e2e-deps.sh's, through test/harness). They fail loudly,
// naming what is missing, unless CRIO_TRACE_E2E=skip. Run them with
// `make systems`.
package systems
