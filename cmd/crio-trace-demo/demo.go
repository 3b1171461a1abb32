package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

// spanWait bounds the wait for the expected spans once kubelet is done.
const spanWait = 10 * time.Second

// demo runs the scenario end to end and prints what it shows. Everything it
// starts is stopped before it returns, whatever happens.
func demo(ctx context.Context, o options, stdout, stderr io.Writer, color bool) (err error) {
	st, err := startStack(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, st.close(ctx)) }()
	printIntro(stdout, o, st)

	kctx := kubeletContext(ctx)
	k, err := connect(kctx, st.endpoint(), st.kubeletTP, stdout)
	if err != nil {
		return err
	}
	p := newPod(o)
	fmt.Fprintln(stdout)
	sandboxID, created, startTrace, _ := k.startPod(kctx, p)
	traces := []shownTrace{{id: startTrace, root: spanSyncPod, title: "kubelet starts pod " + p.ref() + " (" + spanSyncPod + ")"}}
	if sandboxID != "" && ctx.Err() == nil {
		stopTrace, _ := k.stopPod(kctx, p, sandboxID, created)
		traces = append(traces, shownTrace{id: stopTrace, root: spanSyncTerminatingPod,
			title: "kubelet stops and removes pod " + p.ref() + " (" + spanSyncTerminatingPod + ")"})
	}
	closeErr := k.close(ctx)
	if ctx.Err() != nil {
		return fmt.Errorf("stopped before the end: %w", context.Cause(ctx))
	}
	calls := k.recorded()

	roots := map[string]string{}
	for _, t := range traces {
		roots[t.id] = t.root
	}
	wants := expectations(o, roots, calls)
	_ = st.flush(ctx) // best effort: the wait below is what counts
	wctx, cancel := context.WithTimeout(ctx, spanWait)
	all, waitErr := st.receiver.WaitFor(wctx, func(s []otlpreceiver.Span) bool { return len(missing(s, wants)) == 0 })
	cancel()
	if ctx.Err() != nil {
		return fmt.Errorf("stopped while waiting for spans: %w", context.Cause(ctx))
	}
	var fanReport string
	if st.fan != nil {
		fanReport = st.fan.Report()
	}
	// Stop everything now, so that what follows describes a finished run.
	if err := st.close(ctx); err != nil {
		fmt.Fprintf(stderr, "crio-trace-demo: stopping: %v\n", err)
	}

	shown := 0
	var pages []string
	var htmlErrs []error
	for i, t := range traces {
		spans := otlpreceiver.Trace(all, t.id)
		shown += len(spans)
		if err := printTrace(stdout, o, color, i+1, len(traces), t, spans, calls); err != nil {
			return err
		}
		path := htmlPath(o.htmlPath, i)
		if err := writeHTML(path, spans, fmt.Sprintf("crio-trace demo · %s · %s", o.scenario.name, t.title)); err != nil {
			htmlErrs = append(htmlErrs, err)
			continue
		}
		pages = append(pages, path)
	}
	printHowToRead(stdout, o.scenario.tracing, o.runtimeEndpoint != "")
	if n := len(all) - shown; n > 0 {
		fmt.Fprintf(stdout, "\n  Not shown: %d span(s) of kubelet's connection checks (Version, ImageFsInfo) made before the pod.\n", n)
	}
	if len(pages) > 0 {
		fmt.Fprintf(stdout, "\nHTML waterfalls (self-contained, open in any browser):\n")
		for i, path := range pages {
			fmt.Fprintf(stdout, "  %-9s %s\n", []string{"start", "teardown"}[min(i, 1)], path)
		}
	}
	if fanReport != "" {
		fmt.Fprintf(stdout, "--otlp-endpoint: %s\n", fanReport)
	}
	fmt.Fprintln(stdout, "Everything the demo started has been stopped.")

	var errs []error
	if waitErr != nil {
		errs = append(errs, fmt.Errorf("expected spans never arrived within %s:\n  %s",
			spanWait, strings.Join(missing(all, wants), "\n  ")))
	}
	if bad := unexpected(o, all); len(bad) > 0 {
		errs = append(errs, fmt.Errorf("tracing is off, yet crio-trace sent %d span(s):\n  %s", len(bad), strings.Join(bad, "\n  ")))
	}
	if failed := unexpectedFailures(o, calls); len(failed) > 0 {
		errs = append(errs, fmt.Errorf("kubelet's calls failed:\n  %s", strings.Join(failed, "\n  ")))
	}
	if closeErr != nil {
		errs = append(errs, fmt.Errorf("closing kubelet's clients: %w", closeErr))
	}
	return errors.Join(append(errs, htmlErrs...)...)
}

// unexpectedFailures lists the calls that failed, except the failure the
// failing-container scenario is about.
func unexpectedFailures(o options, calls []call) []string {
	var out []string
	for _, c := range calls {
		if c.err == nil {
			continue
		}
		if o.scenario.failSidecar && c.short() == "StartContainer" && c.object == sidecarContainer &&
			status.Code(c.err) == codes.FailedPrecondition {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s: %v", c.short(), c.object, c.err))
	}
	return out
}

// printIntro says what runs where.
func printIntro(w io.Writer, o options, st *stack) {
	fmt.Fprintf(w, "crio-trace demo · scenario %s: %s\n\n", o.scenario.name, o.scenario.summary)
	fmt.Fprintf(w, "  collector   in-process OTLP/gRPC receiver on %s\n", st.receiver.Addr())
	tracingState := "tracing OFF (enable_tracing = false)"
	if o.scenario.tracing {
		tracingState = fmt.Sprintf("tracing on, exporting every %s", exportInterval)
	}
	fmt.Fprintf(w, "  crio-trace  CRI on %s · %s · %s\n", st.endpoint(), st.backendName, tracingState)
	fmt.Fprintf(w, "  kubelet     kubelet's CRI client (k8s.io/cri-client) traced by an OpenTelemetry SDK provider, service.name=%s\n", kubeletService)
	if o.otlpEndpoint != "" {
		fmt.Fprintf(w, "  also        every span forwarded to the collector at %s (--otlp-endpoint)\n", o.otlpEndpoint)
	}
	if o.scenario.failSidecar && o.runtimeEndpoint == "" {
		fmt.Fprintf(w, "  note        the sidecar's command is [\"false\"]: the embedded runtime fails it at StartContainer\n")
	}
	if o.scenario.slowImage {
		fmt.Fprintf(w, "  note        pulling %s takes %s (simulated)\n", o.appImage, o.scenario.slowImageLatency)
	}
}

// htmlPath is where the HTML page of the i-th trace goes: --html for the
// first (the pod start), with "-teardown" before the extension for the
// second.
func htmlPath(path string, i int) string {
	if i == 0 {
		return path
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-teardown" + ext
}

// writeHTML writes the HTML waterfall of spans to path, atomically.
func writeHTML(path string, spans []otlpreceiver.Span, title string) error {
	slices.SortStableFunc(spans, func(a, b otlpreceiver.Span) int { return a.Start.Compare(b.Start) })
	tmp, err := os.CreateTemp(filepath.Dir(path), ".crio-trace-demo-*.html")
	if err != nil {
		return fmt.Errorf("--html %q: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := waterfall.HTML(tmp, spans, title); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("--html %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--html %q: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("--html %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--html %q: %w", path, err)
	}
	return nil
}
