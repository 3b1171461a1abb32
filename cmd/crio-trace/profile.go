package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"
)

// startProfiling serves Go's pprof handlers on 127.0.0.1:port (never on
// another interface: profiles show memory contents), as CRI-O's --profile
// does. It logs the address it bound and returns a function that stops the
// server.
func startProfiling(port int, logger *slog.Logger) (stop func(), err error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("--profile-port = %d is invalid: accepted 0 to 65535", port)
	}
	lis, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("--profile: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("profiling server stopped", "err", err)
		}
	}()
	logger.Info("profiling: pprof served", "address", lis.Addr().String())
	return func() { _ = srv.Close() }, nil
}
