package config

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTemplate writes c as a commented configuration file, every key with
// its meaning, accepted values and default, commented out so the file
// changes nothing until a line is uncommented — what `crio config` does for
// CRI-O. Pass Default() for the built-in values.
func WriteTemplate(w io.Writer, c Config) error {
	t := c.Crio.Tracing
	q := tomlQuote
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	rules := make([]string, len(t.SamplingRules))
	for i, r := range t.SamplingRules {
		rules[i] = "#   " + q(r) + ","
	}

	line("# crio-trace configuration file.")
	line("#")
	line("# Every key is shown commented out with its default value. Keys under")
	line("# [crio.tracing] carry CRI-O's names; crio-trace's own additions start with")
	line("# tracing_. Command-line flags override this file; the OTEL_* environment")
	line("# variables sit below it (see the README for the full precedence).")
	line("")
	line("[crio]")
	line("")
	line("[crio.api]")
	line("")
	line("# Path of the unix socket CRI is served on (mode 0660).")
	line("# listen = %s", q(c.Crio.API.Listen))
	line("")
	line("[crio.runtime]")
	line("")
	line("# Log level on stderr: debug, info, warn or error. Secrets (pull credentials,")
	line("# environment values) are never logged at any level.")
	line("# log_level = %s", q(c.Crio.Runtime.LogLevel))
	line("")
	line("# CRI endpoint of a real runtime to forward every call to, e.g.")
	line("# \"unix:///run/containerd/containerd.sock\". Empty: the embedded runtime, a")
	line("# CRI state machine that runs no processes (for demos and tests).")
	line("# runtime_endpoint = %s", q(c.Crio.Runtime.RuntimeEndpoint))
	line("")
	line("# Embedded runtime only: simulated time each image pull takes, 0s to 10m.")
	line("# embedded_pull_latency = %s", q(c.Crio.Runtime.PullLatency.String()))
	line("")
	line("[crio.tracing]")
	line("")
	line("# Turn OpenTelemetry tracing on. Off means no instrumentation at all. Can be")
	line("# changed on a running daemon with SIGHUP.")
	line("# enable_tracing = %t", t.Enabled)
	line("")
	line("# OTLP collector address: host:port, or an http:// or https:// URL.")
	line("# tracing_endpoint = %s", q(t.Endpoint))
	line("")
	line("# Share of ROOT spans sampled, per million (0..1000000). Spans whose parent")
	line("# is kubelet's follow kubelet's decision, so a sampled kubelet trace is")
	line("# continued here even at 0.")
	line("# tracing_sampling_rate_per_million = %d", t.SamplingRatePerMillion)
	line("")
	line("# OTLP transport: \"grpc\" or \"http/protobuf\".")
	line("# tracing_protocol = %s", q(t.Protocol))
	line("")
	line("# TLS to the collector (plaintext by default, as CRI-O and kubelet). The CA")
	line("# file defaults to the system roots; cert and key enable mutual TLS.")
	line("# tracing_tls = %t", t.TLS)
	line("# tracing_tls_ca_file = %s", q(t.TLSCAFile))
	line("# tracing_tls_cert_file = %s", q(t.TLSCertFile))
	line("# tracing_tls_key_file = %s", q(t.TLSKeyFile))
	line("")
	line("# service.name of the exported spans.")
	line("# tracing_service_name = %s", q(t.ServiceName))
	line("")
	line("# Rules for ROOT spans, first match wins, before the rate applies:")
	line("# \"SPAN_NAME_GLOB=always|never|<rate per million>\", '*' matches anything.")
	line("# The defaults drop the calls kubelet polls every second and always keep")
	line("# PullImage. An empty list leaves every root to the rate.")
	line("# tracing_sampling_rules = [")
	for _, r := range rules {
		line("%s", r)
	}
	line("# ]")
	line("")
	line("# Export bounds: spans queued before new ones are dropped (never waited")
	line("# for), spans per export, longest wait before export, timeout of one export.")
	line("# tracing_export_queue_size = %d", t.ExportQueueSize)
	line("# tracing_export_batch_size = %d", t.ExportBatchSize)
	line("# tracing_export_interval = %s", q(t.ExportInterval.String()))
	line("# tracing_export_timeout = %s", q(t.ExportTimeout.String()))
	line("")
	line("# With tracing on and no collector answering, instrumentation is removed and")
	line("# the collector is probed with backoff up to this interval; it comes back by")
	line("# itself when the collector does.")
	line("# tracing_probe_interval = %s", q(t.ProbeInterval.String()))
	_, err := io.WriteString(w, b.String())
	return err
}

// tomlQuote writes s as a TOML basic string. strconv.Quote does not do:
// TOML has no \a, \v or \xHH escapes, so a value holding a control
// character or a byte that is not UTF-8 would make the file unreadable.
// Control characters become \uXXXX; bytes that are not UTF-8, which no TOML
// string can hold, become U+FFFD.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteRune(r) // RuneError for a byte that is not UTF-8
		}
	}
	b.WriteByte('"')
	return b.String()
}
