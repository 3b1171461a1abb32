package kv

import (
	"context"

	"go.opentelemetry.io/otel/attribute"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Porting step P5: attribute keys defined once, recorded only through an
// allow-list (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin kvstore-attributes

// Attribute keys kvstore records on an RPC's server span and in its log
// record. No semantic convention names a key of a key-value service, so
// they carry the component's own prefix.
const (
	AttrKey     = attribute.Key("kvstore.key")
	AttrVersion = attribute.Key("kvstore.version")
)

// allowList is everything kvstore may record. The value of a Put has no key
// here: it may be a secret, so it can reach no span and no log line.
var allowList = tracing.NewAllowList(AttrKey, AttrVersion)

// keyed is every request that names a key.
type keyed interface{ GetKey() string }

// annotate records the request's key on the server span in ctx, and does
// nothing (allocates nothing) when the span does not record.
func annotate(ctx context.Context, req keyed) {
	if _, ok := tracing.Recording(ctx); !ok {
		return
	}
	allowList.Set(ctx, AttrKey.String(req.GetKey()))
}

// RequestAttrs returns what the per-call log record may say about req: its
// key, through the same allow-list. It is tracing.Interceptor's
// RequestAttrs.
func RequestAttrs(req any) []attribute.KeyValue {
	r, ok := req.(keyed)
	if !ok {
		return nil
	}
	return allowList.Filter([]attribute.KeyValue{AttrKey.String(r.GetKey())})
}

// guideline:end kvstore-attributes
