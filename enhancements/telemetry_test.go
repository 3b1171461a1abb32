package enhancements

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// nameRef is a span name, attribute key or event name a document mentions.
type nameRef struct {
	File string
	Line int
	Name string
	// Prefix is set for a wildcard such as telemetry.sdk.*: some emitted
	// name must start with Name + ".".
	Prefix bool
}

func (r nameRef) String() string {
	n := r.Name
	if r.Prefix {
		n += ".*"
	}
	return fmt.Sprintf("%s:%d: %s", r.File, r.Line, n)
}

var (
	// rpcSpan is a gRPC span name: the full method without its leading
	// slash, or with a <Method> placeholder, which stands for them all.
	rpcSpan = regexp.MustCompile(`\bruntime\.v1\.(?:Runtime|Image)Service/(?:[A-Za-z]+|<Method>)`)
	// dotted is a lower-case dotted word, the shape of span names
	// (crio.image.pull), attribute keys (k8s.pod.name) and event names
	// (image.stored), optionally ending in a wildcard.
	dotted = regexp.MustCompile(`[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?:\.\*)?`)
)

// telemetryNamespaces are the first parts of dotted words that name
// telemetry: the OpenTelemetry semantic-convention namespaces a document of
// this project could use, crio for its span names and cri for its own keys.
// The namespaces of everything the code emits are added to these, so a new
// namespace in the code is checked in the documents at once.
var telemetryNamespaces = []string{
	"client", "container", "cri", "crio", "error", "exception", "grpc", "host", "http",
	"k8s", "net", "network", "os", "otel", "process", "rpc", "server", "service",
	"telemetry", "url", "user_agent",
}

// notTelemetry are dotted words in a telemetry namespace that the documents
// use for something else, each with the reason.
var notTelemetry = map[string]string{
	"image.image": "the PullImageRequest field an InvalidArgument error names",
	// CRI-O + kit emits it, not crio-trace: the name hack/crio-port gives
	// internal/oci's CreateContainer span (TestRenameSpans asserts it).
	"crio.oci.create_container":       "a span of CRI-O + kit (docs/crio-port.md)",
	"crio.server.add_infra_container": "a span of CRI-O + kit, seen in TestSystemsCrio's trace (README)",
}

// fileExt lists endings that make a dotted word a file name (server.go,
// crio.conf), not telemetry.
var fileExt = map[string]bool{
	"go": true, "md": true, "sh": true, "toml": true, "yaml": true, "yml": true, "json": true,
	"txt": true, "html": true, "conf": true, "mod": true, "sum": true, "log": true, "sock": true,
	"pem": true, "crt": true, "key": true, "proto": true, "io": true, "com": true, "org": true, "dev": true,
}

// telemetryRefs returns the span names, attribute keys and event names md
// mentions anywhere, code blocks included: gRPC span names, and dotted
// words in one of namespaces that are neither file or host names (a dot
// ending), nor a table or key of the configuration file (configTables, the
// parsed `crio-trace config` output: crio.tracing, crio.api.listen), nor
// part of a path, URL or Go selector.
func telemetryRefs(file, md string, namespaces map[string]bool, configTables map[string]map[string]bool) []nameRef {
	var out []nameRef
	for i, line := range strings.Split(md, "\n") {
		line = urls.ReplaceAllString(line, " ")
		for _, m := range rpcSpan.FindAllString(line, -1) {
			out = append(out, nameRef{File: file, Line: i + 1, Name: m})
		}
		for _, loc := range dotted.FindAllStringIndex(line, -1) {
			word := line[loc[0]:loc[1]]
			if !standsAlone(line, loc[0], loc[1]) {
				continue
			}
			ref := nameRef{File: file, Line: i + 1, Name: word}
			if strings.HasSuffix(word, ".*") {
				ref.Name, ref.Prefix = strings.TrimSuffix(word, ".*"), true
			}
			parts := strings.Split(ref.Name, ".")
			if !namespaces[parts[0]] || fileExt[parts[len(parts)-1]] || isConfig(ref.Name, configTables) || notTelemetry[ref.Name] != "" {
				continue
			}
			out = append(out, ref)
		}
	}
	return out
}

var urls = regexp.MustCompile(`[a-z]+://\S+`)

// standsAlone reports whether line[start:end] is a whole word: not the
// tail or head of an identifier, path, module path, version or Go
// expression (tracing.Start(, k8s.io/cri-api, v1.2.3).
func standsAlone(line string, start, end int) bool {
	if start > 0 && strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-@:", rune(line[start-1])) {
		return false
	}
	const word = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
	if end < len(line) && strings.ContainsRune(word+"/-@(", rune(line[end])) {
		return false
	}
	// A dot that goes on into a word (runtime.v1.RuntimeService) makes this
	// the head of something longer; a full stop does not.
	if end+1 < len(line) && line[end] == '.' && strings.ContainsRune(word, rune(line[end+1])) {
		return false
	}
	return true
}

// isConfig reports whether word is a table of the configuration file
// (crio.tracing) or a key of one (crio.runtime.log_level).
func isConfig(word string, tables map[string]map[string]bool) bool {
	if _, ok := tables[word]; ok {
		return true
	}
	i := strings.LastIndexByte(word, '.')
	keys, ok := tables[word[:i]]
	return ok && keys[word[i+1:]]
}

// emitted is what the code really emits.
type emitted struct {
	// Spans, Attributes and Events are every span name, attribute key
	// (span, event and resource) and event name seen.
	Spans, Attributes, Events map[string]bool
	// Kinds maps a span name to the kinds (SERVER, CLIENT, INTERNAL) it was
	// seen with, and SpanAttributes holds the keys seen on spans and their
	// events, without the resource's: what the conventions tables list.
	Kinds          map[string]map[string]bool
	SpanAttributes map[string]bool
}

// has reports whether ref names something e holds. A <Method> placeholder
// stands for every method of its service.
func (e emitted) has(ref nameRef) bool {
	all := []map[string]bool{e.Spans, e.Attributes, e.Events}
	for _, set := range all {
		for name := range set {
			switch {
			case ref.Prefix && strings.HasPrefix(name, ref.Name+"."):
				return true
			case !ref.Prefix && name == ref.Name:
				return true
			case strings.HasSuffix(ref.Name, "/<Method>") && strings.HasPrefix(name, strings.TrimSuffix(ref.Name, "<Method>")):
				return true
			}
		}
	}
	return false
}

// namespaces returns telemetryNamespaces and the first part of every dotted
// name e holds.
func (e emitted) namespaces() map[string]bool {
	out := map[string]bool{}
	for _, ns := range telemetryNamespaces {
		out[ns] = true
	}
	for _, set := range []map[string]bool{e.Spans, e.Attributes, e.Events} {
		for name := range set {
			if strings.Contains(name, "/") {
				continue // a gRPC method name, matched whole by rpcSpan
			}
			if first, _, ok := strings.Cut(name, "."); ok {
				out[first] = true
			}
		}
	}
	return out
}

// checkNames returns an error for every ref that e does not hold.
func checkNames(refs []nameRef, e emitted) []error {
	var errs []error
	for _, r := range refs {
		if !e.has(r) {
			errs = append(errs, fmt.Errorf("%s is named in the docs but the code never emits it", r))
		}
	}
	return errs
}

// sorted returns the keys of set in order, for messages.
func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
