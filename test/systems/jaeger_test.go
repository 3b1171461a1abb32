package systems_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
)

// jaegerTrace is one trace as Jaeger's query API (/api/traces, the JSON
// the Jaeger UI reads) returns it.
type jaegerTrace struct {
	TraceID   string `json:"traceID"`
	Spans     []jaegerSpan
	Processes map[string]struct {
		ServiceName string      `json:"serviceName"`
		Tags        []jaegerTag `json:"tags"`
	} `json:"processes"`
}

type jaegerSpan struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64       `json:"startTime"` // microseconds since the epoch
	Duration  int64       `json:"duration"`  // microseconds
	Tags      []jaegerTag `json:"tags"`
	Logs      []struct {
		Timestamp int64       `json:"timestamp"`
		Fields    []jaegerTag `json:"fields"`
	} `json:"logs"`
	ProcessID string `json:"processID"`
}

type jaegerTag struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// str renders a tag value as otlpreceiver.Span does attribute values.
func (tg jaegerTag) str() string {
	switch v := tg.Value.(type) {
	case string:
		return v
	case bool:
		return fmt.Sprint(v)
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), ".")
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// findTraces queries Jaeger for traces of service (and operation when not
// empty) that started in the last hour.
func findTraces(ctx context.Context, base, service, operation string) ([]jaegerTrace, error) {
	q := url.Values{"service": {service}, "limit": {"100"}, "lookback": {"1h"}}
	if operation != "" {
		q.Set("operation", operation)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/traces?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	var body struct {
		Data   []jaegerTrace `json:"data"`
		Errors []any         `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decoding Jaeger's answer: %w", err)
	}
	if len(body.Errors) > 0 {
		return nil, fmt.Errorf("Jaeger answered errors: %v", body.Errors)
	}
	return body.Data, nil
}

// toSpans converts a Jaeger trace into the type the waterfall renders:
// span.kind, otel.scope.name and otel.status_code tags become fields, the
// rest attributes; the process's tags become the resource.
func toSpans(tr jaegerTrace) []otlpreceiver.Span {
	out := make([]otlpreceiver.Span, 0, len(tr.Spans))
	for _, js := range tr.Spans {
		proc := tr.Processes[js.ProcessID]
		s := otlpreceiver.Span{
			TraceID:    js.TraceID,
			SpanID:     js.SpanID,
			Name:       js.OperationName,
			Kind:       "UNSPECIFIED",
			Service:    proc.ServiceName,
			Start:      time.UnixMicro(js.StartTime),
			End:        time.UnixMicro(js.StartTime + js.Duration),
			Attributes: map[string]string{},
			Resource:   map[string]string{"service.name": proc.ServiceName},
			StatusCode: "UNSET",
		}
		for _, r := range js.References {
			if r.RefType == "CHILD_OF" && r.TraceID == js.TraceID {
				s.ParentSpanID = r.SpanID
			}
		}
		for _, tg := range js.Tags {
			switch tg.Key {
			case "span.kind":
				s.Kind = strings.ToUpper(tg.str())
			case "otel.scope.name", "otel.library.name":
				s.Scope = tg.str()
			case "otel.status_code":
				s.StatusCode = strings.ToUpper(tg.str())
			case "otel.status_description":
				s.StatusMessage = tg.str()
			case "internal.span.format":
			default:
				s.Attributes[tg.Key] = tg.str()
			}
		}
		for _, tg := range proc.Tags {
			s.Resource[tg.Key] = tg.str()
		}
		for _, l := range js.Logs {
			ev := otlpreceiver.Event{Time: time.UnixMicro(l.Timestamp), Attributes: map[string]string{}}
			for _, f := range l.Fields {
				if f.Key == "event" {
					ev.Name = f.str()
					continue
				}
				ev.Attributes[f.Key] = f.str()
			}
			s.Events = append(s.Events, ev)
		}
		out = append(out, s)
	}
	return out
}

// jaegerServices lists the services Jaeger has spans of.
func jaegerServices(ctx context.Context, base string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/services", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Data []string `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decoding Jaeger's services: %w", err)
	}
	return body.Data, nil
}
