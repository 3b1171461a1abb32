// Package validate checks the kind recipe in deploy/ without a cluster: the
// machine that runs the tests has no container engine, so kind cannot run
// there. Every YAML document is decoded strictly (unknown fields fail) into
// the real Go types of the program that reads it — kind's config API,
// kubeadm's v1beta3, kubelet's KubeletConfiguration, the API server's
// TracingConfiguration, k8s.io/api objects and the OpenTelemetry Operator's
// OpenTelemetryCollector — and the crio-trace config file is loaded by
// crio-trace's own config package. The systemd units are parsed and checked
// against the paths the kind config mounts.
//
// It is its own Go module so the Kubernetes dependencies stay out of
// crio-trace's go.mod: run it with `cd deploy/validate && go test ./...`
// (the lead's `make deploy-validate`).
package validate
