package harness

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// imageFormat is bumped whenever the way images are built changes, so stale
// cached layouts are not reused.
const imageFormat = "harness-image-v1"

// Repositories on the loopback registry. hosts.toml maps registry.k8s.io and
// gcr.io to the registry, so "pause:3.9" answers for registry.k8s.io/pause:3.9.
const (
	pauseRepo, pauseTag     = "pause", "3.9"
	busyboxRepo, busyboxTag = "busybox", "1.36"
	// critestRepo is where critest v1.30.0 finds its image-test images
	// (gcr.io/k8s-staging-cri-tools/...).
	critestRepo = "k8s-staging-cri-tools/"
)

// imagePath is the PATH of every busybox-based image, as in Docker's busybox.
const imagePath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// imageSpec is one image the harness builds from local binaries.
type imageSpec struct {
	name       string   // cache name
	refs       []string // repo:tag names; the image is built under the first
	entrypoint []string
	cmd        []string
	env        []string
	user       string
	// variant is set as a label to make otherwise equal images distinct.
	variant string
	layers  []func(Tools) ([]layerEntry, error)
	sources func(Tools) []string // files whose contents key the cache
}

// images lists what StartRegistry pushes: the pause image, busybox under the
// name the harness and critest use, and the variants of busybox that
// critest's image tests pull (see cri-tools' images/build script).
var images = append([]imageSpec{
	{
		name:       "pause",
		refs:       []string{pauseRepo + ":" + pauseTag},
		entrypoint: []string{"/pause"},
		layers:     []func(Tools) ([]layerEntry, error){pauseLayer},
		sources:    func(tl Tools) []string { return []string{tl.Pause} },
	},
	busybox("busybox", busyboxRepo+":"+busyboxTag, strings.TrimPrefix(CritestBusyboxImage, "registry.k8s.io/")),
	// Three names for one image.
	busybox("test-image-tags", critestRepo+"test-image-tags:1", critestRepo+"test-image-tags:2", critestRepo+"test-image-tags:3"),
	withUser(busybox("test-image-user-uid", critestRepo+"test-image-user-uid"), "1002"),
	withUser(busybox("test-image-user-username", critestRepo+"test-image-user-username"), "www-data"),
	withUser(busybox("test-image-user-uid-group", critestRepo+"test-image-user-uid-group"), "1003:1004"),
	withUser(busybox("test-image-user-username-group", critestRepo+"test-image-user-username-group"), "www-data:1004"),
	predefinedGroup(),
}, distinctBusyboxes("test-image-1", "test-image-2", "test-image-3", "test-image-latest", "test-image-tag:test", "test-image-tag:all")...)

// busybox is the busybox image under refs, with cache name name.
func busybox(name string, refs ...string) imageSpec {
	return imageSpec{
		name:    name,
		refs:    refs,
		cmd:     []string{"sh"},
		env:     []string{imagePath},
		variant: name,
		layers:  []func(Tools) ([]layerEntry, error){busyboxLayer},
		sources: func(tl Tools) []string { return []string{tl.Busybox} },
	}
}

// distinctBusyboxes are busybox images in critest's repository, one per
// name, each with its own image id.
func distinctBusyboxes(names ...string) []imageSpec {
	var specs []imageSpec
	for _, n := range names {
		ref := n
		if !strings.Contains(ref, ":") {
			ref += ":latest"
		}
		specs = append(specs, busybox(strings.ReplaceAll(n, ":", "-"), critestRepo+ref))
	}
	return specs
}

func withUser(s imageSpec, user string) imageSpec {
	s.user = user
	return s
}

// predefinedGroup is busybox whose default user (1000) belongs to group
// 50000 defined in the image's /etc/group.
func predefinedGroup() imageSpec {
	s := withUser(busybox("test-image-predefined-group", critestRepo+"test-image-predefined-group"), "1000")
	s.layers = append(s.layers, func(Tools) ([]layerEntry, error) {
		return []layerEntry{
			{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, body: []byte(passwd +
				"default-user:x:1000:1000:Linux User,,,:/home/default-user:/bin/sh\n")},
			{name: "etc/group", typ: tar.TypeReg, mode: 0o644, body: []byte(group +
				"default-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n")},
			{name: "home", typ: tar.TypeDir, mode: 0o755},
			{name: "home/default-user", typ: tar.TypeDir, mode: 0o755},
		}, nil
	})
	return s
}

// pushImages pushes every image to the registry at addr, building the ones
// missing from the cache (as OCI layouts under <cache>/images).
func pushImages(t testing.TB, tools Tools, addr, tmp string) error {
	cache := filepath.Join(tools.cacheDir(), "images")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return fmt.Errorf("creating the image cache: %w", err)
	}
	for _, spec := range images {
		key, err := spec.cacheKey(tools)
		if err != nil {
			return fmt.Errorf("image %q: %w", spec.name, err)
		}
		layout := filepath.Join(cache, spec.name+"-"+key[:16])
		target := addr + "/" + spec.refs[0]
		if _, err := os.Stat(filepath.Join(layout, "index.json")); err == nil {
			if err := crane(t, tools, "push", layout, target); err != nil {
				return err
			}
		} else {
			t.Logf("building image %s into the cache (first run)", spec.refs[0])
			if err := spec.build(t, tools, addr, cache, layout, tmp); err != nil {
				return fmt.Errorf("building image %q: %w", spec.name, err)
			}
		}
		pruneLayouts(cache, spec.name, layout)
		for _, alias := range spec.refs[1:] {
			if err := crane(t, tools, "copy", target, addr+"/"+alias); err != nil {
				return err
			}
		}
	}
	return nil
}

// build packs the layers, pushes them with crane as addr/<refs[0]>, and
// saves the pushed image as an OCI layout at layout.
func (s imageSpec) build(t testing.TB, tools Tools, addr, cache, layout, tmp string) error {
	base := addr + "/harness-build/" + s.name + ":layers"
	appendArgs := []string{"append", "--oci-empty-base", "-t", base}
	for i, layer := range s.layers {
		entries, err := layer(tools)
		if err != nil {
			return err
		}
		p := filepath.Join(tmp, fmt.Sprintf("%s-layer%d.tar", s.name, i))
		if err := writeLayer(p, entries); err != nil {
			return err
		}
		appendArgs = append(appendArgs, "-f", p)
	}
	if err := crane(t, tools, appendArgs...); err != nil {
		return err
	}
	ref := addr + "/" + s.refs[0]
	mutate := []string{"mutate", base, "-t", ref, "--set-platform", "linux/" + runtime.GOARCH}
	if len(s.entrypoint) > 0 {
		mutate = append(mutate, "--entrypoint", strings.Join(s.entrypoint, ","))
	}
	if len(s.cmd) > 0 {
		mutate = append(mutate, "--cmd", strings.Join(s.cmd, ","))
	}
	for _, e := range s.env {
		mutate = append(mutate, "--env", e)
	}
	if s.user != "" {
		mutate = append(mutate, "--user", s.user)
	}
	if s.variant != "" {
		mutate = append(mutate, "--label", "io.crio-trace.harness.variant="+s.variant)
	}
	if err := crane(t, tools, mutate...); err != nil {
		return err
	}
	// Pull into a private directory and rename it into place, so a
	// concurrent run never sees a half-written layout.
	staging, err := os.MkdirTemp(cache, ".staging-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staging)
	if err := crane(t, tools, "pull", "--format", "oci", ref, filepath.Join(staging, "oci")); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(staging, "oci"), layout); err != nil {
		if _, statErr := os.Stat(filepath.Join(layout, "index.json")); statErr == nil {
			return nil // another run cached it first
		}
		return fmt.Errorf("caching the image layout: %w", err)
	}
	return nil
}

// cacheKey hashes everything the image is built from.
func (s imageSpec) cacheKey(tools Tools) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%q\x00%q\x00%q\x00%q\x00%q\x00%q\x00%s\x00",
		imageFormat, s.name, s.refs[0], s.entrypoint, s.cmd, s.env, s.user, s.variant, runtime.GOARCH)
	for _, layer := range s.layers {
		// Inline layer contents (like /etc/passwd) are part of the key.
		entries, err := layer(tools)
		if err != nil {
			return "", err
		}
		for _, e := range entries {
			fmt.Fprintf(h, "%s\x00%c\x00%o\x00%s\x00%s\x00%x\x00", e.name, e.typ, e.mode, e.linkname, e.src, e.body)
		}
	}
	for _, src := range s.sources(tools) {
		f, err := os.Open(src)
		if err != nil {
			return "", fmt.Errorf("hashing image source: %w", err)
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("hashing image source %q: %w", src, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pruneLayouts removes cached layouts of the image name other than keep:
// they were built from sources that have changed since.
func pruneLayouts(cache, name, keep string) {
	stale := regexp.MustCompile("^" + regexp.QuoteMeta(name) + "-[0-9a-f]{16}$")
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if p := filepath.Join(cache, e.Name()); stale.MatchString(e.Name()) && p != keep {
			os.RemoveAll(p)
		}
	}
}

// crane runs the crane CLI and returns its output in the error on failure.
func crane(t testing.TB, tools Tools, args ...string) error {
	cmd := exec.CommandContext(t.Context(), tools.Crane, append([]string{"--insecure"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("crane %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
