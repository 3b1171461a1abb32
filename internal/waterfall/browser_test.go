package waterfall_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crio-trace/crio-trace/internal/otlpreceiver"
	"github.com/crio-trace/crio-trace/internal/testutil"
	"github.com/crio-trace/crio-trace/internal/waterfall"
)

func browserContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestHTMLInChromium renders the sample trace and the malicious one and
// checks them in a real browser: no console message, every span name in the
// DOM, a screenshot that is not blank.
func TestHTMLInChromium(t *testing.T) {
	testutil.NeedBrowser(t, waterfall.ChromiumPath)
	tests := []struct {
		name  string
		spans []otlpreceiver.Span
		title string
	}{
		{name: "pod start with a failure and an orphan", spans: sampleTrace(), title: "Pod start: default/nginx"},
		{name: "hostile strings stay text", spans: maliciousTrace(), title: "title" + malice},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.OutDir(t)
			page := filepath.Join(dir, "trace.html")
			f, err := os.Create(page)
			if err != nil {
				t.Fatal(err)
			}
			if err := waterfall.HTML(f, tc.spans, tc.title); err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			want := []string{tc.title}
			for _, s := range tc.spans {
				want = append(want, s.Name)
			}
			shot, err := waterfall.CheckInBrowser(browserContext(t), page, dir, want)
			if err != nil {
				t.Fatalf("CheckInBrowser: %v", err)
			}
			if info, err := os.Stat(shot); err != nil || info.Size() < 10_000 {
				t.Fatalf("screenshot %s: %v (size %v)", shot, err, info)
			}
			t.Logf("screenshot: %s (set %s=DIR to keep it)", shot, testutil.ArtifactsEnv)
		})
	}
}

// TestCheckInBrowserFails proves the browser check can fail: on a script
// error, on a missing text, on a missing page.
func TestCheckInBrowserFails(t *testing.T) {
	testutil.NeedBrowser(t, waterfall.ChromiumPath)
	tests := []struct {
		name    string
		page    string // written to the page file; "" writes none
		want    []string
		wantErr string
	}{
		{
			name:    "uncaught exception",
			page:    `<!DOCTYPE html><p>hello</p><script>notDefined()</script>`,
			wantErr: "Uncaught ReferenceError",
		},
		{
			name:    "console error",
			page:    `<!DOCTYPE html><p>hello</p><script>console.error("bad thing")</script>`,
			wantErr: "bad thing",
		},
		{
			name:    "text not rendered",
			page:    `<!DOCTYPE html><p>hello &lt;world&gt;</p>`,
			want:    []string{"hello <world>", "goodbye"},
			wantErr: `lacks "goodbye"`,
		},
		{
			name:    "no page",
			wantErr: "no such file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			page := filepath.Join(dir, "page.html")
			if tc.page != "" {
				if err := os.WriteFile(page, []byte(tc.page), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := waterfall.CheckInBrowser(browserContext(t), page, dir, tc.want)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckInBrowser error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestCheckInBrowserHonoursContext(t *testing.T) {
	testutil.NeedBrowser(t, waterfall.ChromiumPath)
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, []byte(`<!DOCTYPE html><p>hi</p>`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := waterfall.CheckInBrowser(ctx, page, dir, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("CheckInBrowser with a cancelled context = %v, want context.Canceled", err)
	}
}
