package systemdunit

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Unit is a parsed systemd unit file or drop-in: section name to key to the
// values of every assignment of that key, in file order (systemd allows
// repeated keys such as Environment=).
type Unit map[string]map[string][]string

// Parse parses the INI dialect of systemd.syntax(7): [Section] headers,
// Key=Value lines, # and ; comments, and lines continued with a trailing
// backslash. It fails on a line outside any section and on a line that is
// neither a header nor an assignment, naming the line number.
func Parse(data []byte) (Unit, error) {
	u := Unit{}
	var section string
	sc := bufio.NewScanner(bytes.NewReader(data))
	var pending string
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if pending != "" {
			line = pending + " " + line
			pending = ""
		}
		if strings.HasSuffix(line, `\`) {
			pending = strings.TrimSuffix(line, `\`)
			continue
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, fmt.Errorf("line %d: malformed section header %q", n, line)
			}
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("line %d: %q is neither a section header nor Key=Value", n, line)
			}
			if section == "" {
				return nil, fmt.Errorf("line %d: assignment %q before any [Section]", n, line)
			}
			key = strings.TrimSpace(key)
			u[section][key] = append(u[section][key], strings.TrimSpace(value))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading unit: %w", err)
	}
	if pending != "" {
		return nil, fmt.Errorf("line %d: continuation at end of file", n)
	}
	return u, nil
}

// Get returns the last value of section's key (systemd's rule for
// single-valued settings) and whether it is set.
func (u Unit) Get(section, key string) (string, bool) {
	vs := u[section][key]
	if len(vs) == 0 {
		return "", false
	}
	return vs[len(vs)-1], true
}

// Environment returns the variables the Environment= lines of [Service]
// set, unquoting "NAME=value" assignments.
func (u Unit) Environment() map[string]string {
	env := map[string]string{}
	for _, line := range u["Service"]["Environment"] {
		for _, a := range splitQuoted(line) {
			if k, v, ok := strings.Cut(a, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}

// Command returns the last value of section's key split into an argument
// vector the way systemd splits ExecStart= lines without special prefixes:
// on spaces outside double quotes, quotes dropped. It is nil when the key is
// not set.
func (u Unit) Command(section, key string) []string {
	v, ok := u.Get(section, key)
	if !ok {
		return nil
	}
	return splitQuoted(v)
}

// splitQuoted splits on spaces outside double quotes and drops the quotes.
func splitQuoted(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
