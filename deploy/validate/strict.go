package validate

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"

	"sigs.k8s.io/yaml"
)

// ErrNoKind is returned for a YAML document without apiVersion or kind.
var ErrNoKind = errors.New("document has no apiVersion or kind")

// TypeMeta is the apiVersion and kind every Kubernetes-style document
// carries; it picks the Go type a document is decoded into.
type TypeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// String returns "apiVersion/kind".
func (m TypeMeta) String() string { return m.APIVersion + ", Kind=" + m.Kind }

// docSeparator is a YAML document separator on a line of its own.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// Documents splits a multi-document YAML stream, dropping documents that
// hold only comments or whitespace.
func Documents(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range docSeparator.Split(string(data), -1) {
		if hasContent([]byte(d)) {
			docs = append(docs, []byte(d))
		}
	}
	return docs
}

// hasContent reports whether a YAML document has a line that is neither
// blank nor a comment.
func hasContent(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' {
			return true
		}
	}
	return false
}

// Meta reads a document's apiVersion and kind.
func Meta(doc []byte) (TypeMeta, error) {
	var m TypeMeta
	if err := yaml.Unmarshal(doc, &m); err != nil {
		return m, fmt.Errorf("reading apiVersion and kind: %w", err)
	}
	if m.APIVersion == "" || m.Kind == "" {
		return m, ErrNoKind
	}
	return m, nil
}

// Strict decodes one YAML document into into, failing on fields into's type
// does not have and on duplicate keys: the way kind, kubeadm and kubectl
// --validate=strict treat them.
func Strict(doc []byte, into any) error {
	if err := yaml.UnmarshalStrict(doc, into); err != nil {
		return fmt.Errorf("strict decoding into %T: %w", into, err)
	}
	return nil
}
