package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/crio-trace/crio-trace/internal/tracing"
	"github.com/crio-trace/crio-trace/server/samplingrules"
)

// ServiceName is crio-trace's service.name unless the file, a flag or
// OTEL_SERVICE_NAME says otherwise.
const ServiceName = "crio-trace"

// DefaultListen is where the daemon serves CRI unless told otherwise.
const DefaultListen = "/var/run/crio-trace/crio-trace.sock"

// Config is the whole configuration file.
type Config struct {
	Crio Crio `toml:"crio"`
}

// Crio is the [crio] table.
type Crio struct {
	API     API            `toml:"api"`
	Runtime Runtime        `toml:"runtime"`
	Tracing tracing.Config `toml:"tracing"`
}

// API is the [crio.api] table.
type API struct {
	// Listen is the unix socket path CRI is served on. Default DefaultListen.
	Listen string `toml:"listen"`
}

// Runtime is the [crio.runtime] table.
type Runtime struct {
	// LogLevel is debug, info, warn or error. Default info.
	LogLevel string `toml:"log_level"`
	// RuntimeEndpoint, when set, makes crio-trace forward every CRI call to
	// that runtime (unix:///run/containerd/containerd.sock). Default empty:
	// the embedded runtime, which runs no processes.
	RuntimeEndpoint string `toml:"runtime_endpoint"`
	// PullLatency is the embedded runtime's simulated time per image pull,
	// so traces show where time goes. Default 0s.
	PullLatency tracing.Duration `toml:"embedded_pull_latency"`
}

// Default returns the built-in configuration.
func Default() Config {
	return Config{Crio: Crio{
		API:     API{Listen: DefaultListen},
		Runtime: Runtime{LogLevel: "info"},
		Tracing: DefaultTracing(),
	}}
}

// DefaultTracing is the kit's tracing defaults with what is crio-trace's own:
// its service name and the sampling rules written for kubelet's calls.
func DefaultTracing() tracing.Config {
	c := tracing.DefaultConfig()
	c.ServiceName = ServiceName
	c.SamplingRules = samplingrules.Default()
	return c
}

// Load builds the configuration from the defaults, then the OTEL_*
// environment read through lookup, then the file at path (when path is not
// empty): the precedence tracing.Config.ApplyEnv documents. Unknown keys in
// the file are errors that name them, so a misspelt key is never silently
// ignored. Load does not validate; call Validate after applying flags.
func Load(path string, lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	if err := c.Crio.Tracing.ApplyEnv(lookup); err != nil {
		return c, fmt.Errorf("reading environment: %w", err)
	}
	if path == "" {
		return c, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading config file: %w", err)
	}
	// The file may not lower a kill switch the environment set.
	sdkDisabled, headers := c.Crio.Tracing.SDKDisabled, c.Crio.Tracing.Headers
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return c, fmt.Errorf("parsing config file %s: %w", path, err)
	}
	c.Crio.Tracing.SDKDisabled, c.Crio.Tracing.Headers = sdkDisabled, headers
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return c, fmt.Errorf("config file %s: unknown key(s) %s: see `crio-trace config` for the accepted keys", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// LogLevels lists the accepted log_level values.
var LogLevels = []string{"debug", "info", "warn", "error"}

// Validate reports every invalid setting, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if _, ok := ParseLevel(c.Crio.Runtime.LogLevel); !ok {
		errs = append(errs, fmt.Errorf("crio.runtime.log_level = %q is invalid: accepted %s", c.Crio.Runtime.LogLevel, strings.Join(LogLevels, ", ")))
	}
	if l := c.Crio.API.Listen; l == "" || !filepath.IsAbs(l) || len(l) > 107 {
		errs = append(errs, fmt.Errorf("crio.api.listen = %q is invalid: accepted an absolute socket path of at most 107 bytes", l))
	}
	if e := c.Crio.Runtime.RuntimeEndpoint; e != "" && !strings.HasPrefix(e, "unix://") && !filepath.IsAbs(e) {
		errs = append(errs, fmt.Errorf("crio.runtime.runtime_endpoint = %q is invalid: accepted empty (embedded runtime), unix:///path or /path", e))
	}
	if d := time.Duration(c.Crio.Runtime.PullLatency); d < 0 || d > 10*time.Minute {
		errs = append(errs, fmt.Errorf("crio.runtime.embedded_pull_latency = %q is invalid: accepted a duration from 0s to 10m", d))
	}
	if err := c.Crio.Tracing.Validate(); err != nil {
		errs = append(errs, prefixTracing(err))
	}
	return errors.Join(errs...)
}

// prefixTracing puts the table name in front of each of the kit's keys.
func prefixTracing(err error) error {
	var out []error
	for _, e := range unjoin(err) {
		var fe *tracing.FieldError
		if errors.As(e, &fe) {
			c := *fe
			c.Key = "crio.tracing." + c.Key
			out = append(out, &c)
			continue
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}

// ParseLevel maps a log_level value to a slog level.
func ParseLevel(s string) (slog.Level, bool) {
	switch s {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return 0, false
}
