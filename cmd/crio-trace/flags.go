package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/crio-trace/crio-trace/internal/config"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// flags holds the command line. Settings that also live in the config file
// are applied over it only when the flag was given (see apply).
type flags struct {
	configFile      string
	listen          string
	runtimeEndpoint string
	logLevel        string
	enableTracing   bool
	tracingEndpoint string
	tracingRate     string
	version         bool
	profile         bool
	profilePort     int
}

// newFlags defines the command line. The defaults --help shows are
// config.Default()'s, the values the daemon runs with when neither the
// file, the environment nor a flag sets them, so the two cannot drift.
func newFlags(stderr io.Writer) (*flags, *flag.FlagSet) {
	f := &flags{}
	def := config.Default()
	fs := flag.NewFlagSet("crio-trace", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.configFile, "config", "", "TOML configuration `FILE` (print the default one with: crio-trace config)")
	fs.StringVar(&f.listen, "listen", def.Crio.API.Listen, "unix socket `PATH` to serve CRI on")
	fs.StringVar(&f.runtimeEndpoint, "runtime-endpoint", def.Crio.Runtime.RuntimeEndpoint, "forward every CRI call to this runtime, e.g. unix:///run/containerd/containerd.sock;\nempty: the embedded runtime (runs no processes)")
	fs.StringVar(&f.logLevel, "log-level", def.Crio.Runtime.LogLevel, "log level on stderr: "+strings.Join(config.LogLevels, ", "))
	// Guideline step 1: config and flags (enhancements/distributed-tracing-with-opentelemetry.md).
	// guideline:begin flags
	fs.BoolVar(&f.enableTracing, "enable-tracing", def.Crio.Tracing.Enabled, "enable OpenTelemetry tracing ([crio.tracing] enable_tracing)")
	fs.StringVar(&f.tracingEndpoint, "tracing-endpoint", def.Crio.Tracing.Endpoint, "OTLP collector `ADDRESS`, host:port or URL ([crio.tracing] tracing_endpoint)")
	fs.StringVar(&f.tracingRate, "tracing-sampling-rate-per-million", strconv.Itoa(def.Crio.Tracing.SamplingRatePerMillion), "share of root spans sampled, `0..1000000`; kubelet's decision wins for its spans\n([crio.tracing] tracing_sampling_rate_per_million)")
	// guideline:end flags
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	// CRI-O's names and default port (internal/criocli/criocli.go).
	fs.BoolVar(&f.profile, "profile", false, "serve Go's pprof profiles (goroutines, heap, CPU) on 127.0.0.1, for debugging")
	fs.IntVar(&f.profilePort, "profile-port", 6060, "`PORT` for --profile on 127.0.0.1; 0 picks a free port (logged)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `crio-trace serves the Kubernetes CRI API and traces every call with OpenTelemetry.

Usage:
  crio-trace [flags]     run the daemon
  crio-trace config      print the commented default configuration file

Examples:
  crio-trace --listen /tmp/crio-trace.sock --enable-tracing --tracing-endpoint 127.0.0.1:4317
  crio-trace --listen /run/crio-trace.sock --runtime-endpoint unix:///run/containerd/containerd.sock --enable-tracing
  crio-trace config > /etc/crio-trace.conf && crio-trace --config /etc/crio-trace.conf

Flags override the config file; the file overrides OTEL_* environment variables;
OTEL_SDK_DISABLED=true turns tracing off whatever else says. Signals: SIGTERM/SIGINT
drain in-flight RPCs, flush spans and exit 0; SIGHUP re-reads --config and applies
[crio.tracing] without a restart.

Flags:
`)
		fs.PrintDefaults()
	}
	return f, fs
}

// apply lays the flags that were given over c.
func (f *flags) apply(fs *flag.FlagSet, c *config.Config) error {
	var err error
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "listen":
			c.Crio.API.Listen = f.listen
		case "runtime-endpoint":
			c.Crio.Runtime.RuntimeEndpoint = f.runtimeEndpoint
		case "log-level":
			c.Crio.Runtime.LogLevel = f.logLevel
		case "enable-tracing":
			c.Crio.Tracing.Enabled = f.enableTracing
		case "tracing-endpoint":
			c.Crio.Tracing.Endpoint = f.tracingEndpoint
		case "tracing-sampling-rate-per-million":
			n, perr := strconv.Atoi(strings.TrimSpace(f.tracingRate))
			if perr != nil {
				err = fmt.Errorf("--tracing-sampling-rate-per-million = %q is invalid: accepted an integer from 0 to 1000000", f.tracingRate)
				return
			}
			c.Crio.Tracing.SamplingRatePerMillion = n
		}
	})
	return err
}

// load reads the configuration the daemon runs with: defaults, environment,
// file, flags — then validates it.
func (f *flags) load(fs *flag.FlagSet) (config.Config, error) {
	c, err := config.Load(f.configFile, os.LookupEnv)
	if err != nil {
		return c, err
	}
	if err := f.apply(fs, &c); err != nil {
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return c, nil
}

func printConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "crio-trace config: takes no arguments, got %q\n", args)
		return 2
	}
	if err := config.WriteTemplate(stdout, config.Default()); err != nil {
		fmt.Fprintf(stderr, "crio-trace config: %v\n", err)
		return 1
	}
	return 0
}
