package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/crio-trace/crio-trace/internal/runtime/forward"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// Defaults of the flags.
const (
	defaultTimeout      = 60 * time.Second
	defaultAppImage     = "docker.io/library/nginx:1.27"
	defaultSidecarImage = "docker.io/library/busybox:1.36"
)

// usageError is a bad command line, which exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// options is the parsed command line.
type options struct {
	scenario        scenario
	otlpEndpoint    string
	runtimeEndpoint string
	htmlPath        string
	width           int
	timeout         time.Duration
	appImage        string
	sidecarImage    string
}

// parseFlags parses args. It returns flag.ErrHelp after writing the help to
// stdout for --help, and a usageError naming each bad flag and what it
// accepts for a bad command line.
func parseFlags(args []string, stdout io.Writer, getenv func(string) string) (options, error) {
	var o options
	var scenarioName string
	fs := flag.NewFlagSet("crio-trace-demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&scenarioName, "scenario", scenarioPodStart, "")
	fs.StringVar(&o.otlpEndpoint, "otlp-endpoint", "", "")
	fs.StringVar(&o.runtimeEndpoint, "runtime-endpoint", "", "")
	fs.StringVar(&o.htmlPath, "html", "", "")
	fs.IntVar(&o.width, "width", defaultWidth(getenv), "")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "")
	fs.StringVar(&o.appImage, "app-image", defaultAppImage, "")
	fs.StringVar(&o.sidecarImage, "sidecar-image", defaultSidecarImage, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeHelp(stdout)
			return o, err
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usageError{fmt.Errorf("unexpected argument %q: crio-trace-demo takes flags only", fs.Arg(0))}
	}
	var errs []error
	sc, err := lookupScenario(scenarioName)
	errs = append(errs, err)
	o.scenario = sc
	errs = append(errs, checkHostPort(o.otlpEndpoint))
	if o.runtimeEndpoint != "" {
		ep, err := forward.ParseEndpoint(o.runtimeEndpoint)
		if err != nil {
			errs = append(errs, fmt.Errorf("--runtime-endpoint %q: accepted unix:///absolute/path.sock: %w", o.runtimeEndpoint, err))
		} else {
			o.runtimeEndpoint = ep
		}
		if sc.simulated {
			errs = append(errs, fmt.Errorf("--scenario %s simulates pull latency in the embedded runtime: it cannot be combined with --runtime-endpoint", sc.name))
		}
	}
	if o.width < waterfall.MinWidth {
		errs = append(errs, fmt.Errorf("--width %d is too narrow: accepted %d or more columns", o.width, waterfall.MinWidth))
	}
	if o.timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s: accepted a positive duration such as 60s or 2m", o.timeout))
	}
	if strings.TrimSpace(o.appImage) == "" || strings.TrimSpace(o.sidecarImage) == "" {
		errs = append(errs, errors.New("--app-image and --sidecar-image: accepted a non-empty image reference"))
	}
	if err := errors.Join(errs...); err != nil {
		return o, usageError{err}
	}
	if o.htmlPath == "" {
		o.htmlPath = filepath.Join(os.TempDir(), "crio-trace-demo-"+sc.name+".html")
	}
	return o, nil
}

// checkHostPort accepts "" or host:port with a numeric port.
func checkHostPort(ep string) error {
	if ep == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(ep)
	if err == nil {
		var n uint64
		n, err = strconv.ParseUint(port, 10, 16)
		if err == nil && (host == "" || n == 0) {
			err = errors.New("host and a port 1..65535 are both required")
		}
	}
	if err != nil {
		return fmt.Errorf("--otlp-endpoint %q: accepted host:port of an OTLP/gRPC collector, such as 127.0.0.1:4317: %w", ep, err)
	}
	return nil
}

// defaultWidth is $COLUMNS when it holds a width, else the waterfall's default.
func defaultWidth(getenv func(string) string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return waterfall.DefaultWidth
}

// writeHelp explains every flag with an example.
func writeHelp(w io.Writer) {
	fmt.Fprint(w, `crio-trace-demo: see what tracing the container runtime buys you, in one command.

It starts an OTLP collector, crio-trace and kubelet's own CRI client in this
process, runs a pod start and teardown, prints each trace as a waterfall and
writes an HTML copy. Nothing to install; everything it starts, it stops.

Usage: crio-trace-demo [flags]

Flags:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  --scenario NAME\twhich story to tell (default %s):\n", scenarioPodStart)
	for _, s := range scenarios {
		fmt.Fprintf(tw, "    %s\t%s\n", s.name, s.summary)
	}
	fmt.Fprintf(tw, "\t  e.g. --scenario %s\n", scenarioSlowImagePull)
	fmt.Fprintf(tw, "  --otlp-endpoint HOST:PORT\talso send kubelet's and crio-trace's spans to this OTLP/gRPC collector or Jaeger\n")
	fmt.Fprintf(tw, "\t  e.g. --otlp-endpoint 127.0.0.1:4317\n")
	fmt.Fprintf(tw, "  --runtime-endpoint ENDPOINT\tput crio-trace in front of a real CRI runtime instead of the embedded one\n")
	fmt.Fprintf(tw, "\t  e.g. --runtime-endpoint unix:///run/containerd/containerd.sock\n")
	fmt.Fprintf(tw, "  --app-image REF\timage of the app container (default %s)\n", defaultAppImage)
	fmt.Fprintf(tw, "\t  e.g. --app-image 127.0.0.1:5000/nginx:1.27\n")
	fmt.Fprintf(tw, "  --sidecar-image REF\timage of the sidecar container (default %s)\n", defaultSidecarImage)
	fmt.Fprintf(tw, "\t  e.g. --sidecar-image 127.0.0.1:5000/busybox:1.36\n")
	fmt.Fprintf(tw, "  --html PATH\twhere to write the HTML waterfall of the pod start; the teardown's goes\n")
	fmt.Fprintf(tw, "\t  next to it with -teardown before the extension (default %s)\n",
		filepath.Join(os.TempDir(), "crio-trace-demo-SCENARIO.html"))
	fmt.Fprintf(tw, "\t  e.g. --html ./trace.html\n")
	fmt.Fprintf(tw, "  --width N\tterminal width in columns, at least %d (default $COLUMNS, else %d)\n", waterfall.MinWidth, waterfall.DefaultWidth)
	fmt.Fprintf(tw, "\t  e.g. --width 160\n")
	fmt.Fprintf(tw, "  --timeout DURATION\tgive up after this long overall (default %s)\n", defaultTimeout)
	fmt.Fprintf(tw, "\t  e.g. --timeout 2m\n")
	fmt.Fprintf(tw, "  --help\tshow this help\n")
	_ = tw.Flush()
	fmt.Fprint(w, `
Exit status: 0 when the scenario ran and every expected span arrived; 1 on
failure (the message says which step failed or which spans are missing);
2 for a bad command line.
`)
}
