package server

import (
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// tpVerdict is what the W3C Trace Context specification makes of a
// traceparent value.
type tpVerdict string

const (
	tpValid   tpVerdict = "valid"
	tpInvalid tpVerdict = "invalid"
	// tpUnsure: version 00 with flag bits beyond sampled and random, which
	// Trace Context level 1 and level 2 treat differently.
	tpUnsure tpVerdict = "unsure"
)

// parseTraceparent reads v by the parsing rules of
// https://www.w3.org/TR/trace-context/#traceparent-header, independently
// of the propagator under test: version 00 is exactly 55 characters;
// a later version is at least 55, its first four fields as in 00 and
// followed by the end or a dash; version ff, upper-case hex and all-zero
// ids are invalid.
func parseTraceparent(v string) (trace.SpanContext, tpVerdict) {
	if len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return trace.SpanContext{}, tpInvalid
	}
	version, tid, sid, flags := v[0:2], v[3:35], v[36:52], v[53:55]
	for _, part := range []string{version, tid, sid, flags} {
		if !isLowerHex(part) {
			return trace.SpanContext{}, tpInvalid
		}
	}
	if version == "ff" || tid == strings.Repeat("0", 32) || sid == strings.Repeat("0", 16) {
		return trace.SpanContext{}, tpInvalid
	}
	if version == "00" && len(v) != 55 {
		return trace.SpanContext{}, tpInvalid
	}
	if version != "00" && len(v) > 55 && v[55] != '-' {
		return trace.SpanContext{}, tpInvalid
	}
	var cfg trace.SpanContextConfig
	_, _ = hex.Decode(cfg.TraceID[:], []byte(tid))
	_, _ = hex.Decode(cfg.SpanID[:], []byte(sid))
	var fl [1]byte
	_, _ = hex.Decode(fl[:], []byte(flags))
	cfg.TraceFlags = trace.TraceFlags(fl[0]) & trace.FlagsSampled
	cfg.Remote = true
	if version == "00" && fl[0] > 3 {
		return trace.NewSpanContext(cfg), tpUnsure
	}
	return trace.NewSpanContext(cfg), tpValid
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}
