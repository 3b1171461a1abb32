// Command crio-trace-demo shows, in one command and with nothing installed
// but Go, what tracing the container runtime buys a cluster administrator.
//
// It starts three things in its own process: an OTLP receiver on a loopback
// port (the collector), crio-trace serving CRI on a temporary unix socket
// (the embedded runtime by default, or forwarding to a real runtime with
// --runtime-endpoint), and kubelet, played with kubelet's own CRI client
// (k8s.io/cri-client) and a tracer provider whose service.name is
// "kubelet". Kubelet starts a two-container pod under a syncPod span and
// tears it down under a syncTerminatingPod span; every CRI call is a CLIENT
// span, and crio-trace joins each one with a SERVER span and its own inner
// steps.
//
// The demo then prints each trace as a waterfall, explains how to read it
// and where the time went, writes a self-contained HTML waterfall and stops
// everything it started, on success, on failure and on Ctrl-C.
//
// Usage:
//
//	go run ./cmd/crio-trace-demo [--scenario pod-start|slow-image-pull|failing-container|tracing-off]
//	                             [--otlp-endpoint HOST:PORT] [--runtime-endpoint unix:///PATH]
//	                             [--html PATH] [--width N] [--timeout DURATION]
//
// Exit status: 0 when the scenario ran and every expected span arrived, 1
// on failure (a step failed unexpectedly, or spans are missing: the message
// names them), 2 for a bad command line.
package main
