package enhancements

import (
	"fmt"
	"regexp"
	"strings"
)

// keyRef is a configuration key or table the guideline mentions.
type keyRef struct {
	Line  int
	Key   string // "enable_tracing", "crio.runtime.runtime_endpoint"
	Table bool   // a [crio.*] table header
}

var (
	tracingKey = regexp.MustCompile(`enable_tracing|tracing_[a-z_]*[a-z]`)
	dottedKey  = regexp.MustCompile(`\bcrio\.([a-z_]+)\.([a-z_]+)\b`)
	tableRef   = regexp.MustCompile(`\[crio(?:\.[a-z_]+)*\]`)
)

// configKeys returns the keys and tables md mentions, anywhere, code
// blocks included. A tracing_ word that is part of a file name
// (tracing_test.go) or a path is not a key.
func configKeys(md string) []keyRef {
	var out []keyRef
	for i, line := range strings.Split(md, "\n") {
		for _, loc := range tracingKey.FindAllStringIndex(line, -1) {
			before, after := "", line[loc[1]:]
			if loc[0] > 0 {
				before = line[loc[0]-1 : loc[0]]
			}
			if before != "" && strings.ContainsAny(before, "/._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") {
				continue
			}
			if strings.HasPrefix(after, ".go") {
				continue
			}
			out = append(out, keyRef{Line: i + 1, Key: line[loc[0]:loc[1]]})
		}
		for _, m := range dottedKey.FindAllStringSubmatch(line, -1) {
			out = append(out, keyRef{Line: i + 1, Key: m[0]})
		}
		for _, m := range tableRef.FindAllString(line, -1) {
			out = append(out, keyRef{Line: i + 1, Key: m, Table: true})
		}
	}
	return out
}

// checkKey reports an error when ref is absent from cfg, the output of
// `crio-trace config`: a table must be one of its header lines, a key one
// of its (commented-out) assignments, and a dotted key whose middle part is
// one of its tables an assignment under that table. Other dotted words
// (crio.image.pull is a span name) are not keys.
func checkKey(cfg string, ref keyRef) error {
	tables := parseTemplate(cfg)
	if ref.Table {
		if _, ok := tables[strings.Trim(ref.Key, "[]")]; !ok {
			return fmt.Errorf("line %d: table %s is not in `crio-trace config` output", ref.Line, ref.Key)
		}
		return nil
	}
	if m := dottedKey.FindStringSubmatch(ref.Key); m != nil && m[0] == ref.Key {
		keys, ok := tables["crio."+m[1]]
		if !ok {
			// Not a table of ours: a span name such as crio.image.pull
			// has the same shape. Tables are checked in [crio.x] form.
			return nil
		}
		if !keys[m[2]] {
			return fmt.Errorf("line %d: key %s is not in `crio-trace config` output", ref.Line, ref.Key)
		}
		return nil
	}
	for _, keys := range tables {
		if keys[ref.Key] {
			return nil
		}
	}
	return fmt.Errorf("line %d: key %s is not in `crio-trace config` output", ref.Line, ref.Key)
}

var assignment = regexp.MustCompile(`^#?\s*([a-z_]+)\s*=`)

// parseTemplate maps each table of a commented TOML file to the keys
// assigned in it, commented out or not.
func parseTemplate(cfg string) map[string]map[string]bool {
	tables := map[string]map[string]bool{"": {}}
	cur := ""
	for _, line := range strings.Split(cfg, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			cur = strings.Trim(t, "[]")
			if tables[cur] == nil {
				tables[cur] = map[string]bool{}
			}
			continue
		}
		if m := assignment.FindStringSubmatch(t); m != nil {
			tables[cur][m[1]] = true
		}
	}
	return tables
}
