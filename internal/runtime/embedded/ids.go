package embedded

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// idLen is the length of a generated id in hex digits (32 random bytes), the
// same shape as the ids of CRI-O and containerd.
const idLen = 64

// newID returns a random 64-hex-digit id. crypto/rand.Read never fails on
// Linux (and crashes the program rather than return an error elsewhere).
func newID() string {
	var b [idLen / 2]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// resolve finds the object whose id is id or starts with id, as CRI-O and
// containerd accept unique id prefixes. kind names the resource in errors
// ("pod sandbox", "container"). It returns NotFound when nothing matches and
// InvalidArgument when id is empty or matches more than one object.
func resolve[T any](objs map[string]T, id, kind string) (T, error) {
	var zero T
	if id == "" {
		return zero, status.Errorf(codes.InvalidArgument, "%s id is empty", kind)
	}
	if obj, ok := objs[id]; ok {
		return obj, nil
	}
	var (
		found T
		n     int
	)
	for key, obj := range objs {
		if strings.HasPrefix(key, id) {
			found = obj
			n++
		}
	}
	switch n {
	case 0:
		return zero, status.Errorf(codes.NotFound, "%s %q not found", kind, id)
	case 1:
		return found, nil
	default:
		return zero, status.Errorf(codes.InvalidArgument, "%s id prefix %q is ambiguous: it matches %d objects", kind, id, n)
	}
}

// isNotFound reports whether err is a NotFound status error.
func isNotFound(err error) bool {
	return status.Code(err) == codes.NotFound
}
