package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

func main() {
	fs := flag.NewFlagSet("summarize", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.svg, "svg", "", "also write the growth plot (BenchmarkScale, BenchmarkExportClients) as SVG to `FILE`")
	fs.StringVar(&o.doc, "doc", "", "also write the machine header and the report into `FILE` (docs/performance.md), between its summarize:begin and summarize:end lines")
	fs.StringVar(&o.command, "command", "make bench", "how the input was produced, for the header -doc writes")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	o.files = fs.Args()
	o.machine = func() machine { return thisMachine(time.Now(), o.command) }
	if err := run(o, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "summarize:", err)
		os.Exit(1)
	}
}

// options are summarize's inputs besides the benchmark output.
type options struct {
	files   []string // benchmark output files; none: standard input
	svg     string   // where to write the growth plot; "": nowhere
	doc     string   // the document to splice the report into; "": none
	command string
	machine func() machine // the machine of the header; tests fix it
}

// run reads the benchmark output, writes the report to out and, as o
// asks, the growth plot and the document.
func run(o options, in io.Reader, out io.Writer) error {
	raw, err := readAll(o.files, in)
	if err != nil {
		return err
	}
	res := make(results)
	if err := parse(bytes.NewReader(raw), res); err != nil {
		return err
	}
	if len(res) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	var rep bytes.Buffer
	if err := report(&rep, res); err != nil {
		return err
	}
	if _, err := out.Write(rep.Bytes()); err != nil {
		return err
	}
	if o.svg != "" {
		var buf bytes.Buffer
		if err := plot(&buf, res); err != nil {
			return err
		}
		if err := os.WriteFile(o.svg, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the plot: %w", err)
		}
	}
	if o.doc == "" {
		return nil
	}
	doc, err := os.ReadFile(o.doc)
	if err != nil {
		return fmt.Errorf("reading the document: %w", err)
	}
	generated := header(o.machine(), parseMeta(raw), runsOf(res)) + demote(rep.String())
	spliced, err := splice(doc, generated)
	if err != nil {
		return fmt.Errorf("%s: %w", o.doc, err)
	}
	if err := os.WriteFile(o.doc, spliced, 0o644); err != nil {
		return fmt.Errorf("writing the document: %w", err)
	}
	return nil
}

// readAll returns the named files' contents one after the other, or in's
// when no file is named.
func readAll(files []string, in io.Reader) ([]byte, error) {
	if len(files) == 0 {
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, fmt.Errorf("reading benchmark output: %w", err)
		}
		return b, nil
	}
	var all bytes.Buffer
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("reading %q: %w", name, err)
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	return all.Bytes(), nil
}

// demote moves every Markdown heading of s one level down, so the report's
// sections sit under the document's "Results".
func demote(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			lines[i] = "#" + l
		}
	}
	return strings.Join(lines, "")
}
