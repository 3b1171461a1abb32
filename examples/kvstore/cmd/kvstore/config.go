package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// Porting step P2: what is kvstore's own, not the kit's
// (enhancements/distributed-tracing-with-opentelemetry.md).
// guideline:begin kvstore-defaults

// tracingTable is the TOML table of kvstore's tracing keys; CRI-O's is
// crio.tracing.
const tracingTable = "kvstore.tracing"

// defaultTracing is the kit's defaults with what is kvstore's own: its
// service name, and a rule that keeps the health checks load balancers
// make every few seconds from starting traces of their own.
func defaultTracing() tracing.Config {
	c := tracing.DefaultConfig()
	c.ServiceName = "kvstore"
	c.SamplingRules = []string{"grpc.health.v1.Health/Check=never"}
	return c
}

// guideline:end kvstore-defaults

// options is the command line.
type options struct {
	listen     string // unix socket path
	upstream   string // gRPC target of the next hop; empty: store in memory
	configFile string
	logLevel   slog.Level
	loader     tracing.Loader
}

// parseArgs reads the command line; the tracing settings are read by
// options.loader, again on every SIGHUP.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "", "unix socket `PATH` to serve on (required)")
	fs.StringVar(&o.upstream, "upstream", "", "serve each call by calling the kvstore at this gRPC `TARGET` (unix:///path);\nempty: keep values in memory")
	fs.StringVar(&o.configFile, "config", "", "TOML `FILE` with a [kvstore.tracing] table")
	level := fs.String("log-level", "info", "log level on stderr: debug, info, warn or error")
	// guideline:begin kvstore-loader
	def := defaultTracing()
	tracingFlags := tracing.AddFlags(fs, tracingTable, def)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.loader = tracing.Loader{Table: tracingTable, Defaults: def, LookupEnv: os.LookupEnv, Flags: tracingFlags}
	// guideline:end kvstore-loader
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.listen == "" || !filepath.IsAbs(o.listen) {
		return o, fmt.Errorf("--listen = %q is invalid: accepted an absolute unix socket path", o.listen)
	}
	if err := o.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return o, fmt.Errorf("--log-level = %q is invalid: accepted debug, info, warn or error", *level)
	}
	return o, nil
}
