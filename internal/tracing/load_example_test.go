package tracing_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// A component that is not CRI-O keeps its tracing keys in a table of its
// own, with its own defaults, and gets CRI-O's flags and the OTEL_*
// environment with the same precedence as crio-trace.
func ExampleLoader() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "kvstore.toml")
	_ = os.WriteFile(file, []byte("[kvstore.tracing]\nenable_tracing = true\ntracing_endpoint = \"127.0.0.1:5000\"\n"), 0o600)
	env := map[string]string{"OTEL_SERVICE_NAME": "kvstore-east", "OTEL_EXPORTER_OTLP_ENDPOINT": "127.0.0.1:6000"}
	args := []string{"--tracing-sampling-rate-per-million", "1000"}

	// guideline:begin loader
	def := tracing.DefaultConfig()
	def.ServiceName = "kvstore" // the component's own name, not the kit's

	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	tracingFlags := tracing.AddFlags(fs, "kvstore.tracing", def)
	if err := fs.Parse(args); err != nil {
		return
	}
	loader := tracing.Loader{
		Table:     "kvstore.tracing", // your table; CRI-O's is crio.tracing
		Defaults:  def,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, // os.LookupEnv in a daemon
		Flags:     tracingFlags,
	}
	cfg, err := loader.Load(file) // again on SIGHUP, then Provider.Reload
	if err != nil {
		fmt.Println(err) // names the file, the table and the key
		return
	}
	// guideline:end loader
	fmt.Println(cfg.Enabled, cfg.ServiceName, cfg.Endpoint, cfg.SamplingRatePerMillion)
	// Output: true kvstore-east 127.0.0.1:5000 1000
}
