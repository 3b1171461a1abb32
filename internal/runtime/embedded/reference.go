package embedded

import (
	"errors"
	"fmt"
	"strings"
)

// Defaults applied by ParseReference, the same as containerd and Docker.
const (
	defaultDomain  = "docker.io"
	legacyDomain   = "index.docker.io"
	officialPrefix = "library/"
	defaultTag     = "latest"
	maxNameLength  = 255
	maxTagLength   = 128
)

// ErrInvalidReference is wrapped by every error ParseReference returns.
var ErrInvalidReference = errors.New("invalid image reference")

// Reference is a parsed, normalized image reference such as
// docker.io/library/busybox:latest or registry.k8s.io/pause@sha256:<hex>.
type Reference struct {
	// Domain is the registry host, with an optional :port; docker.io when
	// the reference names none.
	Domain string
	// Path is the repository path below the domain; official Docker Hub
	// images get the library/ prefix.
	Path string
	// Tag is the tag; "latest" when the reference has neither a tag nor a
	// digest.
	Tag string
	// Digest is "sha256:" followed by 64 lower-case hex digits, or empty.
	Digest string
}

// Name returns the repository name, domain/path.
func (r Reference) Name() string {
	return r.Domain + "/" + r.Path
}

// String returns the normalized reference: name[:tag][@digest].
func (r Reference) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ParseReference parses and normalizes an image reference the way
// containerd does: a name without a registry gets docker.io, a single
// component on docker.io gets library/, and a reference with neither tag nor
// digest gets the tag latest. Accepted digests are sha256 only. IPv6 registry
// hosts are not supported. Errors wrap ErrInvalidReference and quote the
// input; ParseReference never panics.
func ParseReference(s string) (Reference, error) {
	fail := func(why string) (Reference, error) {
		return Reference{}, fmt.Errorf("%w %q: %s", ErrInvalidReference, s, why)
	}
	if s == "" {
		return fail("empty")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		return fail("contains white space, control or non-ASCII characters")
	}
	var ref Reference
	rest := s
	if name, digest, ok := strings.Cut(s, "@"); ok {
		if !validDigest(digest) {
			return fail("digest must be sha256: followed by 64 lower-case hex digits")
		}
		ref.Digest, rest = digest, name
	}
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		if !validTag(rest[i+1:]) {
			return fail("tag must be 1 to 128 characters of [A-Za-z0-9_.-], not starting with . or -")
		}
		ref.Tag, rest = rest[i+1:], rest[:i]
	}
	if rest == "" {
		return fail("repository name is empty")
	}
	ref.Domain, ref.Path = splitDomain(rest)
	if !validDomain(ref.Domain) {
		return fail("registry host must be dot-separated [A-Za-z0-9-] labels with an optional :port")
	}
	if isHex64(ref.Path) && ref.Domain == defaultDomain && ref.Tag == "" && ref.Digest == "" {
		return fail("a 64-digit hex string is an image id, not a reference")
	}
	for _, c := range strings.Split(ref.Path, "/") {
		if !validComponent(c) {
			return fail(fmt.Sprintf("repository path component %q must be lower-case [a-z0-9] separated by '.', '_', '__' or dashes", c))
		}
	}
	if ref.Domain == defaultDomain && !strings.Contains(ref.Path, "/") {
		ref.Path = officialPrefix + ref.Path
	}
	// The bound applies to the normalized name, domain and library/
	// included, as in Docker's reference grammar: checking the name as
	// written let "<238 characters>" through, whose normalized form then
	// failed to parse (found by FuzzParseReference).
	if len(ref.Name()) > maxNameLength {
		return fail(fmt.Sprintf("repository name is longer than %d characters with its registry (%d)", maxNameLength, len(ref.Name())))
	}
	if ref.Tag == "" && ref.Digest == "" {
		ref.Tag = defaultTag
	}
	return ref, nil
}

// splitDomain splits a name into registry host and path. The first component
// is a host only if it looks like one (has a dot or a port, or is localhost),
// as in Docker's reference grammar.
func splitDomain(name string) (domain, path string) {
	first, rest, ok := strings.Cut(name, "/")
	if !ok || !(strings.ContainsAny(first, ".:") || first == "localhost") {
		return defaultDomain, name
	}
	if first == legacyDomain {
		first = defaultDomain
	}
	return first, rest
}

func validDigest(d string) bool {
	hex, ok := strings.CutPrefix(d, "sha256:")
	return ok && isHex64(hex)
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLowerHex(s[i]) {
			return false
		}
	}
	return true
}

func isLowerHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isLowerAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z'
}

func validTag(t string) bool {
	if t == "" || len(t) > maxTagLength || t[0] == '.' || t[0] == '-' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func validDomain(d string) bool {
	host, port, hasPort := strings.Cut(d, ":")
	if hasPort {
		if port == "" {
			return false
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// validComponent checks one path component: lower-case alphanumeric runs
// joined by a single '.', a single '_', a double "__" or one or more '-'.
func validComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && !isLowerAlnum(c[j]) {
			j++
		}
		if !validSeparator(c[i:j]) {
			return false
		}
		i = j
	}
	return true
}

func validSeparator(sep string) bool {
	switch sep {
	case ".", "_", "__":
		return true
	}
	return strings.Trim(sep, "-") == ""
}
