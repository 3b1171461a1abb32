package anchors

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// Span kinds as the receiver spells them.
const (
	kindClient = "CLIENT"
	kindServer = "SERVER"
)

// rpcName is the span name of a CRI method.
func rpcName(method string) string {
	if method == "PullImage" || method == "ImageStatus" || method == "ListImages" || method == "RemoveImage" || method == "ImageFsInfo" {
		return "runtime.v1.ImageService/" + method
	}
	return "runtime.v1.RuntimeService/" + method
}

// of returns the spans of service, and of kind unless kind is empty.
func of(spans []otlpreceiver.Span, service, kind string) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range spans {
		if s.Service == service && (kind == "" || s.Kind == kind) {
			out = append(out, s)
		}
	}
	return out
}

// named returns the spans named name.
func named(spans []otlpreceiver.Span, name string) []otlpreceiver.Span {
	var out []otlpreceiver.Span
	for _, s := range spans {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// spansPerRPC measures, for each call kubelet made of the methods in trace,
// the system's SERVER spans below kubelet's CLIENT span, and the system's
// other spans named for the RPC (a second span per call). It scores 2 when
// every call has exactly one SERVER span, child of kubelet's CLIENT span,
// and nothing else is named for the RPC; 1 when the parents are right but
// copies exist; 0 otherwise.
func spansPerRPC(trace []otlpreceiver.Span, svc string, methods []string) cell {
	var calls, rightParent, copies int
	var copyKinds []string
	for _, m := range methods {
		for _, c := range named(of(trace, svcKubelet, kindClient), rpcName(m)) {
			calls++
			children := 0
			for _, s := range named(of(trace, svc, kindServer), rpcName(m)) {
				if s.ParentSpanID == c.SpanID {
					children++
				}
			}
			if children == 1 {
				rightParent++
			}
		}
		for _, s := range of(trace, svc, "") {
			if s.Kind != kindClient && s.Kind != kindServer && strings.HasSuffix(s.Name, rpcName(m)) {
				copies++
				if !slices.Contains(copyKinds, s.Kind) {
					copyKinds = append(copyKinds, s.Kind)
				}
			}
		}
	}
	text := fmt.Sprintf("1 SERVER span, child of kubelet's CLIENT span, for %d of %d calls", rightParent, calls)
	score := 0
	if calls > 0 && rightParent == calls {
		score = 2
		if copies > 0 {
			score = 1
		}
	}
	if copies > 0 {
		text += fmt.Sprintf("; plus %d %s spans named for the RPC", copies, strings.Join(copyKinds, "/"))
	} else {
		text += "; no second span"
	}
	return cell{text: text, score: score, measured: true}
}

// attributeKeys are the CRI domain attributes the contracts name.
var attributeKeys = []string{
	"k8s.pod.name", "k8s.namespace.name", "k8s.pod.uid", "k8s.container.name",
	"container.id", "container.image.name", "cri.sandbox.id",
}

// attributes counts the domain attributes present on any span of svc in
// trace; the score is their number.
func attributes(trace []otlpreceiver.Span, svc string) cell {
	var present []string
	for _, k := range attributeKeys {
		for _, s := range of(trace, svc, "") {
			if s.Attributes[k] != "" {
				present = append(present, k)
				break
			}
		}
	}
	text := fmt.Sprintf("%d of %d", len(present), len(attributeKeys))
	if len(present) > 0 && len(present) < len(attributeKeys) {
		text += ": " + strings.Join(present, ", ")
	}
	return cell{text: text, score: len(present), measured: true}
}

// errorStatus measures the system's SERVER span of the failing PullImage:
// the child of kubelet's CLIENT span that ended in error. It scores 2 when
// the span carries the gRPC code and its status follows OpenTelemetry's
// RPC conventions for server spans (ERROR for the server-side codes, left
// unset for codes that blame the caller, such as NOT_FOUND); 1 when the
// code is there but the status contradicts the conventions, or the status
// is ERROR without a code; 0 when nothing on the span says the call failed.
func errorStatus(trace []otlpreceiver.Span, svc string) cell {
	var failed []otlpreceiver.Span
	for _, c := range named(of(trace, svcKubelet, kindClient), rpcName("PullImage")) {
		if c.IsError() {
			for _, s := range named(of(trace, svc, kindServer), rpcName("PullImage")) {
				if s.ParentSpanID == c.SpanID {
					failed = append(failed, s)
				}
			}
		}
	}
	if len(failed) != 1 {
		return cell{text: fmt.Sprintf("%d SERVER spans for the failed pull", len(failed)), measured: true}
	}
	s := failed[0]
	attr, code, ok := grpcCode(s.Attributes)
	text := "status " + s.StatusCode
	if ok {
		text += ", " + attr + "=" + s.Attributes[attr]
	}
	switch {
	case ok && s.IsError() == serverErrorCodes[code]:
		return cell{text: text, score: 2, measured: true}
	case ok || s.IsError():
		return cell{text: text + " (not as the conventions say for " + code.String() + ")", score: 1, measured: true}
	}
	return cell{text: text, measured: true}
}

// serverErrorCodes are the gRPC codes OpenTelemetry's RPC conventions mark
// ERROR on a server span; the others leave the status unset.
var serverErrorCodes = map[codes.Code]bool{
	codes.Unknown: true, codes.DeadlineExceeded: true, codes.Unimplemented: true,
	codes.Internal: true, codes.Unavailable: true, codes.DataLoss: true,
}

// grpcCode reads the gRPC status code from a span's attributes, in either
// convention: rpc.grpc.status_code (a number) or rpc.response.status_code
// (a name such as NOT_FOUND).
func grpcCode(attrs map[string]string) (attr string, code codes.Code, ok bool) {
	if v, found := attrs["rpc.grpc.status_code"]; found {
		n, err := strconv.Atoi(v)
		return "rpc.grpc.status_code", codes.Code(n), err == nil
	}
	if v, found := attrs["rpc.response.status_code"]; found {
		for c := codes.OK; c <= codes.Unauthenticated; c++ {
			if strings.EqualFold(strings.ReplaceAll(c.String(), " ", ""), strings.ReplaceAll(v, "_", "")) {
				return "rpc.response.status_code", c, true
			}
		}
	}
	return "", 0, false
}

// secretsIn counts the planted secrets text holds, naming them; the score
// is minus that count.
func secretsIn(text string) cell {
	var found []string
	for _, sec := range planted {
		if strings.Contains(text, sec.value) {
			found = append(found, sec.what)
		}
	}
	if len(found) == 0 {
		return cell{text: fmt.Sprintf("none of %d", len(planted)), measured: true}
	}
	return cell{text: fmt.Sprintf("%d of %d: %s", len(found), len(planted), strings.Join(found, ", ")),
		score: -len(found), measured: true}
}

// spanText is everything of spans that can carry text: names, attributes,
// resources, status messages and events.
func spanText(spans []otlpreceiver.Span) string {
	var b strings.Builder
	for _, s := range spans {
		fmt.Fprintln(&b, s.Name, s.StatusMessage, s.Attributes, s.Resource)
		for _, e := range s.Events {
			fmt.Fprintln(&b, e.Name, e.Attributes)
		}
	}
	return b.String()
}
