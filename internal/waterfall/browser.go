package waterfall

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ChromiumPath is the browser CheckInBrowser runs: Debian's chromium
// package.
const ChromiumPath = "/usr/bin/chromium"

// chromiumPath is ChromiumPath, a variable so tests can point it elsewhere.
var chromiumPath = ChromiumPath

// ErrNoBrowser is returned, wrapped, by CheckInBrowser when ChromiumPath is
// missing.
var ErrNoBrowser = errors.New("headless browser not installed")

// Screenshot size CheckInBrowser asks for.
const (
	screenshotWidth  = 1400
	screenshotHeight = 900
)

// minScreenshotColors is how many distinct colours a screenshot sample must
// hold to count as a rendered page rather than a blank one.
const minScreenshotColors = 8

// CheckInBrowser opens the page at htmlPath in headless Chromium twice: once
// dumping the DOM with console logging on, once taking a 1400×900
// screenshot into outDir/waterfall.png. It fails when the page logged any
// console message (the page has no script, so any is unexpected), when a
// string of wantTexts is not in the DOM (compared as written, or with &, <
// and > escaped as the DOM dump serialises text), or when the screenshot is
// missing or blank. It returns the screenshot's path.
//
// Browser profiles go to fresh directories under outDir. Each run is bound
// by ctx; on cancellation CheckInBrowser kills the browser it started and
// that browser's own child processes, nothing else. When ChromiumPath does
// not exist the error wraps ErrNoBrowser, names the path and the install
// command. It is safe for concurrent use with distinct outDirs.
func CheckInBrowser(ctx context.Context, htmlPath, outDir string, wantTexts []string) (screenshot string, err error) {
	if _, err := os.Stat(chromiumPath); err != nil {
		return "", fmt.Errorf("%w: %q: %w (install it with: apt-get install -y chromium)", ErrNoBrowser, chromiumPath, err)
	}
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return "", fmt.Errorf("waterfall: resolving %q: %w", htmlPath, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return "", fmt.Errorf("waterfall: page to check: %w", err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: abs}).String()

	dom, logs, err := runChromium(ctx, outDir, "--enable-logging=stderr", "--v=0", "--dump-dom", pageURL)
	if err != nil {
		return "", err
	}
	if msgs := consoleMessages(logs); len(msgs) > 0 {
		return "", fmt.Errorf("waterfall: %q logged %d console message(s):\n%s", htmlPath, len(msgs), strings.Join(msgs, "\n"))
	}
	var missing []string
	for _, want := range wantTexts {
		if !bytes.Contains(dom, []byte(want)) && !bytes.Contains(dom, []byte(escapeText(want))) {
			missing = append(missing, fmt.Sprintf("%q", want))
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("waterfall: rendered DOM of %q lacks %s", htmlPath, strings.Join(missing, ", "))
	}

	shot := filepath.Join(outDir, "waterfall.png")
	if _, _, err := runChromium(ctx, outDir, "--screenshot="+shot,
		fmt.Sprintf("--window-size=%d,%d", screenshotWidth, screenshotHeight), pageURL); err != nil {
		return "", err
	}
	if err := checkScreenshot(shot); err != nil {
		return "", err
	}
	return shot, nil
}

// chromiumFlags keep a headless run quiet and off the network.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
}

// runChromium runs Chromium once with a fresh profile under outDir and
// returns its stdout and stderr.
func runChromium(ctx context.Context, outDir string, args ...string) (stdout, stderr []byte, err error) {
	profile, err := os.MkdirTemp(outDir, "chromium-profile-")
	if err != nil {
		return nil, nil, fmt.Errorf("waterfall: browser profile: %w", err)
	}
	all := append(append(append([]string{}, chromiumFlags...), "--user-data-dir="+profile), args...)
	cmd := exec.CommandContext(ctx, chromiumPath, all...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	ownProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	// Chromium's helpers (zygote, GPU, network service) normally leave with
	// it; make sure none of the ones this run started is left behind.
	killProcessGroup(cmd)
	if runErr != nil {
		return out.Bytes(), errOut.Bytes(), fmt.Errorf("waterfall: running %s %s: %w\n%s",
			chromiumPath, strings.Join(args, " "), errors.Join(runErr, context.Cause(ctx)), tail(errOut.String(), 20))
	}
	return out.Bytes(), errOut.Bytes(), nil
}

// consoleMessages returns the console lines in Chromium's log: with
// --enable-logging=stderr it writes each as "…:CONSOLE:N] "text", source: …",
// and uncaught exceptions as "Uncaught …".
func consoleMessages(log []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			out = append(out, line)
		}
	}
	return out
}

// escapeText escapes s the way a DOM dump serialises text nodes.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;").Replace(s)
}

// checkScreenshot fails unless path is a PNG of the requested size that
// shows more than a blank page.
func checkScreenshot(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("waterfall: screenshot: %w", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("waterfall: screenshot %q is not a PNG: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() != screenshotWidth || b.Dy() != screenshotHeight {
		return fmt.Errorf("waterfall: screenshot %q is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), screenshotWidth, screenshotHeight)
	}
	if n := sampleColors(img); n < minScreenshotColors {
		return fmt.Errorf("waterfall: screenshot %q looks blank: %d distinct colours in a sample, want at least %d",
			path, n, minScreenshotColors)
	}
	return nil
}

// sampleColors counts the distinct colours on a 10-pixel grid over img.
func sampleColors(img image.Image) int {
	seen := map[color.RGBA64]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 10 {
		for x := b.Min.X; x < b.Max.X; x += 10 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA64{R: uint16(r), G: uint16(g), B: uint16(bl), A: uint16(a)}] = true
		}
	}
	return len(seen)
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
