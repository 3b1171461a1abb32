package tracing

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Loader reads a component's tracing configuration from everywhere an
// operator may set it, with the precedence ApplyEnv documents, lowest
// first: Defaults; the OTEL_* environment; the keys present in the TOML
// table named Table; the flags given on the command line (Flags); and
// OTEL_SDK_DISABLED=true on top of all. The table name is the component's:
// CRI-O's is "crio.tracing", the kvstore example's "kvstore.tracing".
//
// A Loader reads only its own table and leaves the rest of the file to the
// component, so it slots into an existing configuration file. Call Load
// again on SIGHUP and hand the result to Provider.Reload: the flags given at
// start keep overriding the file.
//
// The zero value has no table and loads nothing; a Loader is a value and
// safe for concurrent use as long as Flags is not being parsed meanwhile.
//
// Guideline, porting step P3: a loader with the precedence
// (enhancements/distributed-tracing-with-opentelemetry.md).
type Loader struct {
	// Table is the dotted name of the TOML table that holds the tracing
	// keys, such as "kvstore.tracing". Required: Load fails without it.
	Table string
	// Defaults is where loading starts: DefaultConfig with what is the
	// component's own (its service name, its sampling rules).
	Defaults Config
	// LookupEnv reads the environment: os.LookupEnv in a daemon, a map in a
	// test. Nil reads none.
	LookupEnv func(string) (string, bool)
	// Flags are the tracing flags of the command line, from AddFlags. Nil:
	// the component has none.
	Flags *Flags
}

// Load reads the file at path (empty: no file) and returns the validated
// configuration. Errors name the file and the key with its table
// (kvstore.tracing.tracing_endpoint); invalid settings are *FieldError
// values, joined, with Key carrying the table prefix. A table absent from
// the file leaves the defaults and the environment in force; a key in the
// table that Config does not know is an error, so a misspelt key is never
// ignored.
func (l Loader) Load(path string) (Config, error) {
	if path == "" {
		return l.Decode("", nil)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return l.Defaults, fmt.Errorf("reading config file: %w", err)
	}
	return l.Decode(path, b)
}

// Decode is Load for a file the component has read itself; name is used in
// messages only. Nil data means no file.
func (l Loader) Decode(name string, data []byte) (Config, error) {
	c := l.Defaults
	table, err := tablePath(l.Table)
	if err != nil {
		return c, err
	}
	if l.LookupEnv != nil {
		if err := c.ApplyEnv(l.LookupEnv); err != nil {
			return c, fmt.Errorf("reading environment: %w", err)
		}
	}
	if data != nil {
		if err := decodeTable(name, data, table, &c); err != nil {
			return c, err
		}
	}
	if l.Flags != nil {
		if err := l.Flags.Apply(&c); err != nil {
			return c, err
		}
	}
	if err := c.Validate(); err != nil {
		return c, prefixKeys(l.Table, err)
	}
	return c, nil
}

// tablePath splits a dotted table name into its keys.
func tablePath(table string) ([]string, error) {
	parts := strings.Split(table, ".")
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t\"'[]") {
			return nil, fmt.Errorf("tracing.Loader.Table = %q is invalid: accepted a dotted TOML table name such as \"kvstore.tracing\"", table)
		}
	}
	return parts, nil
}

// decodeTable decodes the keys of table in the TOML document data over c,
// leaving every other table alone. It keeps what the environment set that
// the file cannot say (headers, the kill switch).
func decodeTable(name string, data []byte, table []string, c *Config) error {
	var top map[string]toml.Primitive
	md, err := toml.Decode(string(data), &top)
	if err != nil {
		return fmt.Errorf("parsing config file %s: %w", name, err)
	}
	if !md.IsDefined(table...) {
		return nil
	}
	dotted := strings.Join(table, ".")
	if t := md.Type(table...); t != "Hash" {
		return fmt.Errorf("config file %s: %s must be a table ([%s]), found a value of type %s", name, dotted, dotted, t)
	}
	prim := top[table[0]]
	for _, key := range table[1:] {
		var next map[string]toml.Primitive
		if err := md.PrimitiveDecode(prim, &next); err != nil {
			return fmt.Errorf("config file %s: [%s]: %w", name, dotted, err)
		}
		prim = next[key]
	}
	sdkDisabled, headers := c.SDKDisabled, c.Headers
	if err := md.PrimitiveDecode(prim, c); err != nil {
		return fmt.Errorf("config file %s: [%s]: %w", name, dotted, err)
	}
	c.SDKDisabled, c.Headers = sdkDisabled, headers
	var unknown []string
	for _, k := range md.Undecoded() {
		if s := k.String(); strings.HasPrefix(s, dotted+".") {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("config file %s: unknown key(s) %s: accepted the keys of tracing.Config (enable_tracing, tracing_*)", name, strings.Join(unknown, ", "))
	}
	return nil
}

// prefixKeys puts table in front of the key of each *FieldError in err.
func prefixKeys(table string, err error) error {
	var out []error
	for _, e := range flatten(err) {
		var fe *FieldError
		if errors.As(e, &fe) {
			c := *fe
			c.Key = table + "." + c.Key
			out = append(out, &c)
			continue
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// flatten returns the leaves of a tree of joined errors.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
