package otlpreceiver

import (
	"io"
	"net/http"

	collectorpb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// maxHTTPBody bounds one OTLP/HTTP request body.
const maxHTTPBody = 32 << 20

// httpHandler serves OTLP/HTTP in its binary protobuf encoding, the one
// otlptracehttp sends: POST /v1/traces, Content-Type application/x-protobuf
// (https://opentelemetry.io/docs/specs/otlp/#otlphttp). A failure set by
// SetFailing answers 503 for codes.Unavailable and 400 otherwise.
func (s *traceService) httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-protobuf" {
			http.Error(w, "otlp receiver: only application/x-protobuf is served, got "+ct, http.StatusUnsupportedMediaType)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHTTPBody))
		if err != nil {
			http.Error(w, "otlp receiver: reading body: "+err.Error(), http.StatusBadRequest)
			return
		}
		var req collectorpb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, "otlp receiver: decoding ExportTraceServiceRequest: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.accept(&req); err != nil {
			code := http.StatusBadRequest
			if status.Code(err) == codes.Unavailable {
				code = http.StatusServiceUnavailable
			}
			http.Error(w, err.Error(), code)
			return
		}
		resp, _ := proto.Marshal(&collectorpb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	})
	return mux
}
