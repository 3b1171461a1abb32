package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	fs := flag.NewFlagSet("summarize", flag.ContinueOnError)
	svg := fs.String("svg", "", "also write the growth plot (BenchmarkScale, BenchmarkExportClients) as SVG to `FILE`")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := run(fs.Args(), *svg, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "summarize:", err)
		os.Exit(1)
	}
}

// run parses the named files, or in when there are none, and writes the
// report to out and, when svg is not empty, the growth plot to the file
// svg names.
func run(files []string, svg string, in io.Reader, out io.Writer) error {
	res := make(results)
	if len(files) == 0 {
		if err := parse(in, res); err != nil {
			return err
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("opening %q: %w", name, err)
		}
		err = parse(f, res)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
	}
	if len(res) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	if err := report(out, res); err != nil {
		return err
	}
	if svg == "" {
		return nil
	}
	var buf bytes.Buffer
	if err := plot(&buf, res); err != nil {
		return err
	}
	if err := os.WriteFile(svg, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing the plot: %w", err)
	}
	return nil
}
