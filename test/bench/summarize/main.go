package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "summarize:", err)
		os.Exit(1)
	}
}

// run parses the named files, or in when there are none, and writes the
// report to out.
func run(files []string, in io.Reader, out io.Writer) error {
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
	return report(out, res)
}
