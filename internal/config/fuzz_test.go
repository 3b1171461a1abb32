package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/crio-trace/crio-trace/internal/tracing"
)

// The fuzz targets of the config file. `make fuzz` runs each; a crasher
// lands in testdata/fuzz/<target>/ and stays there as a regression test.

// crioKeys are the keys outside [crio.tracing] that Validate checks; its
// errors for them start with the key.
var crioKeys = []string{"crio.runtime.log_level", "crio.api.listen", "crio.runtime.runtime_endpoint", "crio.runtime.embedded_pull_latency"}

// tracingKeys returns the TOML keys of [crio.tracing] and the Config field
// each one sets.
func tracingKeys() (keys []string, field map[string]string) {
	field = make(map[string]string)
	for _, f := range reflect.VisibleFields(reflect.TypeFor[tracing.Config]()) {
		if k := f.Tag.Get("toml"); k != "" && k != "-" {
			keys = append(keys, k)
			field[k] = f.Name
		}
	}
	return keys, field
}

var indexedKey = regexp.MustCompile(`\[\d+\]$`)

// checkValidateErrors fails t unless every error in err names a key: a
// *tracing.FieldError whose key is crio.tracing.<one of the table's keys>,
// or an error that starts with one of crioKeys. It returns the tracing
// errors.
func checkValidateErrors(t *testing.T, err error) []*tracing.FieldError {
	t.Helper()
	keys, _ := tracingKeys()
	var out []*tracing.FieldError
	for _, e := range unjoin(err) {
		if e == nil {
			continue
		}
		var fe *tracing.FieldError
		if errors.As(e, &fe) {
			k, ok := strings.CutPrefix(indexedKey.ReplaceAllString(fe.Key, ""), "crio.tracing.")
			if !ok || !contains(keys, k) || !strings.HasPrefix(fe.Error(), fe.Key+" = ") || fe.Accepted == "" {
				t.Fatalf("tracing error %q (key %q) does not name a key of [crio.tracing] and what it accepts", fe, fe.Key)
			}
			out = append(out, fe)
			continue
		}
		if !startsWithAny(e.Error(), crioKeys) || !strings.Contains(e.Error(), "accepted") {
			t.Fatalf("error %q names no key of the file, or not what it accepts", e)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func startsWithAny(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p+" = ") {
			return true
		}
	}
	return false
}

// FuzzLoad reads any bytes as the config file. Load either fails naming
// the file, or gives a Config whose Validate errors each name a key; a
// Config Validate accepts survives WriteTemplate: the template with every
// key uncommented loads back to the same Config.
func FuzzLoad(f *testing.F) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl, Default()); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(uncommentTemplate(tmpl.String())))
	f.Add(tmpl.Bytes())
	for _, s := range []string{
		"[crio.tracing]\nenable_tracing = true\ntracing_endpoint = \"http://127.0.0.1:4318/v1/traces\"\ntracing_protocol = \"http/protobuf\"\n",
		"[crio.tracing]\ntracing_sampling_rules = [\"*/X=always\", \"bad\"]\ntracing_sampling_rate_per_million = 2000000\n",
		"[crio.tracing]\ntracing_service_name = \"a\\u0007b\"\n",
		"[crio.runtime]\nlog_level = \"loud\"\nembedded_pull_latency = \"-1s\"\n[crio.api]\nlisten = \"x\"\n",
		"[crio.tracing]\ntracing_export_interval = 1.5\n",
		"[crio]\ntracing = 1\n",
		"[crio.tracing.extra]\nx = 1\n",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "crio-trace.conf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, env(nil))
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error %q does not name the file", err)
			}
			return
		}
		if checkValidateErrors(t, c.Validate()); c.Validate() != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteTemplate(&buf, c); err != nil {
			t.Fatal(err)
		}
		file := uncommentTemplate(buf.String())
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := Load(path, env(nil))
		if err != nil {
			t.Fatalf("the template of a valid config does not load: %v\n%s", err, file)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("the template of %+v loads back as %+v\n%s", c, back, file)
		}
	})
}

// FuzzTracingValue writes one [crio.tracing] key with any TOML text as its
// value. Load fails naming the file and the key (or the line, or an
// unknown key the value added), or Validate
// names only that key — or a key whose accepted values name it (the TLS
// cert and key go together).
func FuzzTracingValue(f *testing.F) {
	keys, field := tracingKeys()
	values := []string{`true`, `"yes"`, `"127.0.0.1:4317"`, `"https://h/v1/traces"`, `"h:0"`, `1000001`, `-1`,
		`"grpc"`, `"http/json"`, `"/ca.pem"`, `" "`, `["*/X=always", "bad"]`, `[]`, `0`, `2048`, `"5s"`, `"1h"`,
		`"-5s"`, `1.5`, `"\u0000"`, `{a = 1}`, `99999999999999999999`, "\"a\"\nenable_tracing = true"}
	for i := range keys {
		for _, v := range values {
			f.Add(uint8(i), v)
		}
	}
	path := filepath.Join(f.TempDir(), "crio-trace.conf")
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		key := keys[int(which)%len(keys)]
		if err := os.WriteFile(path, []byte("[crio.tracing]\n"+key+" = "+value+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, env(nil))
		if err != nil {
			// A newline in the value can add an unknown key, which the
			// error then names instead.
			msg := err.Error()
			if !strings.Contains(msg, path) || !(strings.Contains(msg, key) || strings.Contains(msg, "line ") || strings.Contains(msg, "unknown key")) {
				t.Fatalf("Load error %q names neither the file and the key nor the line", err)
			}
			return
		}
		// The value may have set more than its key (a newline and another
		// key): then there is no single key to expect.
		got, def := reflect.ValueOf(c.Crio.Tracing), reflect.ValueOf(Default().Crio.Tracing)
		for k, name := range field {
			if k != key && !reflect.DeepEqual(got.FieldByName(name).Interface(), def.FieldByName(name).Interface()) {
				return
			}
		}
		if c.Crio.API != Default().Crio.API || c.Crio.Runtime != Default().Crio.Runtime {
			return
		}
		for _, fe := range checkValidateErrors(t, c.Validate()) {
			named := indexedKey.ReplaceAllString(fe.Key, "") == "crio.tracing."+key
			if !named && !strings.Contains(fe.Accepted, key) {
				t.Fatalf("%s = %s: Validate blames another key: %v", key, value, fe)
			}
		}
	})
}
