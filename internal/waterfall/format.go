package waterfall

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// keyAttr is an attribute worth showing on the span's line, with a short
// label, in display order.
type keyAttr struct {
	key, label string
	// short cuts a long id to its first 12 characters, as crictl does.
	short bool
}

// keyAttrs are the attributes an administrator reads first when following a
// pod start: which pod, container and image, which sandbox.
var keyAttrs = []keyAttr{
	{key: "k8s.namespace.name", label: "ns"},
	{key: "k8s.pod.name", label: "pod"},
	{key: "k8s.container.name", label: "container"},
	{key: "container.image.name", label: "image"},
	{key: "cri.sandbox.id", label: "sandbox", short: true},
	{key: "container.id", label: "container.id", short: true},
}

// shortIDLen is how many characters of a long id are shown, as crictl does.
const shortIDLen = 12

// field is one label=value pair shown with a span.
type field struct{ label, value string }

// keyFields returns the key attributes of s that are set, then its RPC
// status when it has one.
func keyFields(s otlpreceiver.Span) []field {
	var out []field
	for _, k := range keyAttrs {
		v := s.Attributes[k.key]
		if v == "" {
			continue
		}
		if k.short {
			v = shortID(v)
		}
		out = append(out, field{k.label, v})
	}
	if st := rpcStatus(s); st != "" {
		out = append(out, field{"rpc", st})
	}
	return out
}

// rpcStatus returns the span's gRPC status as a code name: otelgrpc records
// rpc.response.status_code as a string, the tracing kit records
// rpc.grpc.status_code as a number.
func rpcStatus(s otlpreceiver.Span) string {
	if v := s.Attributes["rpc.response.status_code"]; v != "" {
		return v
	}
	if v := s.Attributes["rpc.grpc.status_code"]; v != "" {
		if n, err := strconv.ParseUint(v, 10, 32); err == nil {
			return codes.Code(n).String()
		}
		return v
	}
	return ""
}

func shortID(id string) string {
	if len(id) <= shortIDLen {
		return id
	}
	return id[:shortIDLen]
}

// errorMessage returns the text to show for a failed span: the status
// message, else the message of its first exception event, else "".
func errorMessage(s otlpreceiver.Span) string {
	if s.StatusMessage != "" {
		return s.StatusMessage
	}
	for _, e := range s.Events {
		if e.Name == "exception" {
			if m := e.Attributes["exception.message"]; m != "" {
				return m
			}
		}
	}
	return ""
}

// errorLine is how an error is shown under a span.
func errorLine(s otlpreceiver.Span) string {
	if m := errorMessage(s); m != "" {
		return "✗ ERROR: " + m
	}
	return "✗ ERROR"
}

// FormatDuration prints d with three significant figures in the unit a
// person expects: 850µs, 12.3ms, 1.25s. The demo's summaries use it too, so
// every duration on screen reads the same way.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms"
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return trimFloat(float64(d)/float64(time.Microsecond)) + "µs"
	case d < time.Second:
		return trimFloat(float64(d)/float64(time.Millisecond)) + "ms"
	default:
		return trimFloat(d.Seconds()) + "s"
	}
}

// trimFloat prints v with three significant figures for values up to 999.
func trimFloat(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// joinFields renders fields as "label=value" separated by sep.
func joinFields(fs []field, sep string) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.label + "=" + f.value
	}
	return strings.Join(parts, sep)
}

// offsetOf returns how long after the trace start s began.
func offsetOf(l layout, s otlpreceiver.Span) time.Duration {
	if s.Start.IsZero() {
		return 0
	}
	return max(s.Start.Sub(l.start), 0)
}

// services returns the service names in order of first appearance in the
// rows, with "?" for spans that named none.
func services(l layout) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range l.rows {
		name := serviceName(r.span)
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func serviceName(s otlpreceiver.Span) string {
	if s.Service == "" {
		return "?"
	}
	return s.Service
}

// plural prints n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
