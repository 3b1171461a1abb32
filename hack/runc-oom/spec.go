package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// globalValueFlags are runc's global flags that take a value in the next
// argument (runc 1.1 `runc --help`); the subcommand is the first argument
// that is neither one of them, nor their value, nor another flag.
var globalValueFlags = map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}

// spec is a JSON file holding an oomScoreAdj runc is about to apply.
type spec struct {
	path string
	// inProcess says the value is at process.oomScoreAdj (a bundle's
	// config.json) rather than at the top level (an exec process file).
	inProcess bool
}

// specFile returns the spec runc applies for args (runc's arguments without
// argv[0]); ok is false when the command applies none.
func specFile(args []string) (s spec, ok bool) {
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		if globalValueFlags[args[i]] {
			i++
		}
		i++
	}
	if i >= len(args) {
		return spec{}, false
	}
	cmd, rest := args[i], args[i+1:]
	switch cmd {
	case "create", "run":
		bundle := flagValue(rest, "--bundle", "-b")
		if bundle == "" {
			bundle = "."
		}
		return spec{path: filepath.Join(bundle, "config.json"), inProcess: true}, true
	case "exec":
		if p := flagValue(rest, "--process", "-p"); p != "" {
			return spec{path: p}, true
		}
	}
	return spec{}, false
}

// flagValue returns the value of the flag named long or short in args, in
// either "--flag value" or "--flag=value" form; "" when absent.
func flagValue(args []string, long, short string) string {
	for i, a := range args {
		if a == "--" {
			return ""
		}
		for _, name := range []string{long, short} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v
			}
		}
	}
	return ""
}

// raiseOOMScoreAdj sets oomScoreAdj in s to floor if it is below floor. A
// file that needs no change is not written; otherwise every other field
// keeps its value (keys come out sorted and compact).
func raiseOOMScoreAdj(s spec, floor int) error {
	path := s.path
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading spec: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return fmt.Errorf("parsing %s: %w", path, err)
	}
	var changed bool
	if raw, ok := top["process"]; ok && s.inProcess {
		var proc map[string]json.RawMessage
		if err := json.Unmarshal(raw, &proc); err != nil {
			return fmt.Errorf("parsing process in %s: %w", path, err)
		}
		if changed, err = raise(proc, floor); err != nil {
			return fmt.Errorf("%s: process.%w", path, err)
		}
		if changed {
			if top["process"], err = json.Marshal(proc); err != nil {
				return err
			}
		}
	} else if !s.inProcess {
		if changed, err = raise(top, floor); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if !changed {
		return nil
	}
	out, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// raise sets obj["oomScoreAdj"] to floor when it is present and lower.
func raise(obj map[string]json.RawMessage, floor int) (bool, error) {
	raw, ok := obj["oomScoreAdj"]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	var v int
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, fmt.Errorf("oomScoreAdj %s: %w", raw, err)
	}
	if v >= floor {
		return false, nil
	}
	obj["oomScoreAdj"] = json.RawMessage(fmt.Sprint(floor))
	return true, nil
}
