package forward

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"google.golang.org/grpc"
)

// Defaults applied by New to zero-valued Options fields.
const (
	// DefaultMaxMsgSize is the largest message sent or received, 16 MiB, the
	// limit kubelet's CRI client uses.
	DefaultMaxMsgSize = 16 << 20
	// DefaultConnectWait bounds how long a call waits for a connection that
	// is still being set up before it answers codes.Unavailable.
	DefaultConnectWait = time.Second
	// DefaultMaxBackoff caps the delay between reconnection attempts.
	DefaultMaxBackoff = 3 * time.Second
)

// unixScheme is the only endpoint scheme New accepts.
const unixScheme = "unix://"

// ErrEndpoint is wrapped by the error New returns for an endpoint that is not
// a unix socket.
var ErrEndpoint = errors.New("invalid runtime endpoint")

// Options configure a Backend. Only Endpoint is required.
type Options struct {
	// Endpoint is the runtime's CRI socket: "unix:///path/to.sock" or a bare
	// absolute path. Other schemes are refused.
	Endpoint string
	// DialOptions are appended after the Backend's own, so they win; the
	// tracing kit passes otelgrpc's client stats handler here. May be nil.
	DialOptions []grpc.DialOption
	// Logger receives one line per connection state change, never request
	// contents. Nil discards.
	Logger *slog.Logger
	// MaxMsgSize limits sent and received messages. Zero means
	// DefaultMaxMsgSize.
	MaxMsgSize int
	// ConnectWait is how long a call waits for a connection still being
	// set up before answering codes.Unavailable. Zero means
	// DefaultConnectWait.
	ConnectWait time.Duration
	// MaxBackoff caps the delay between reconnection attempts. Zero means
	// DefaultMaxBackoff.
	MaxBackoff time.Duration
}

// withDefaults returns o with zero fields replaced by their defaults.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxMsgSize <= 0 {
		o.MaxMsgSize = DefaultMaxMsgSize
	}
	if o.ConnectWait <= 0 {
		o.ConnectWait = DefaultConnectWait
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	return o
}

// ParseEndpoint checks that endpoint names a unix socket by absolute path and
// returns it in the canonical "unix:///path" form used as the gRPC target
// and in messages.
func ParseEndpoint(endpoint string) (string, error) {
	path := endpoint
	switch {
	case strings.HasPrefix(endpoint, unixScheme):
		path = strings.TrimPrefix(endpoint, unixScheme)
	case strings.Contains(endpoint, "://"):
		return "", fmt.Errorf("%w %q: only unix sockets are supported (unix:///path)", ErrEndpoint, endpoint)
	}
	if path == "" || !filepath.IsAbs(path) {
		return "", fmt.Errorf("%w %q: want unix:///absolute/path or /absolute/path", ErrEndpoint, endpoint)
	}
	return unixScheme + filepath.Clean(path), nil
}
