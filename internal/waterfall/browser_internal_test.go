package waterfall

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckInBrowserWithoutChromium(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-chromium")
	saved := chromiumPath
	chromiumPath = missing
	t.Cleanup(func() { chromiumPath = saved })

	tests := []struct {
		name string
		want string
	}{
		{name: "names the binary", want: missing},
		{name: "names the install command", want: "apt-get install -y chromium"},
	}
	_, err := CheckInBrowser(t.Context(), "page.html", t.TempDir(), nil)
	if !errors.Is(err, ErrNoBrowser) {
		t.Fatalf("error = %v, want ErrNoBrowser", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}
