package harness

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sort"
	"strings"
	"time"
)

// layerEntry is one file, directory or symlink of an image layer.
type layerEntry struct {
	name     string // path inside the image, without a leading slash
	typ      byte   // tar.TypeReg, tar.TypeDir, tar.TypeSymlink or tar.TypeLink
	mode     int64
	linkname string // for symlinks and hard links
	src      string // for regular files: copy this host file
	body     []byte // for regular files without src
}

// layerTime is the fixed modification time of every entry, so the same
// inputs give the same layer digest.
var layerTime = time.Unix(0, 0)

// writeLayer writes entries as an uncompressed tar file at p.
func writeLayer(p string, entries []layerEntry) (err error) {
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("creating layer: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing layer: %w", cerr)
		}
	}()
	tw := tar.NewWriter(f)
	for _, e := range entries {
		if err := writeEntry(tw, e); err != nil {
			return fmt.Errorf("adding %q to layer: %w", e.name, err)
		}
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, e layerEntry) error {
	hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, ModTime: layerTime, Linkname: e.linkname, Format: tar.FormatPAX}
	if e.typ == tar.TypeDir {
		hdr.Name += "/"
	}
	var body io.Reader = bytes.NewReader(e.body)
	if e.typ == tar.TypeReg {
		hdr.Size = int64(len(e.body))
		if e.src != "" {
			f, err := os.Open(e.src)
			if err != nil {
				return err
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				return err
			}
			hdr.Size, body = fi.Size(), f
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if e.typ == tar.TypeReg {
		_, err := io.Copy(tw, body)
		return err
	}
	return nil
}

// pauseLayer holds the static pause binary as /pause.
func pauseLayer(tools Tools) ([]layerEntry, error) {
	return []layerEntry{{name: "pause", typ: tar.TypeReg, mode: 0o755, src: tools.Pause}}, nil
}

// busyboxLayer holds a static busybox with an entry for every applet it
// has (sh, echo, sleep, cat, ls, top, ...) as a hard link, the directories containers
// expect, and minimal /etc/passwd and /etc/group files.
func busyboxLayer(tools Tools) ([]layerEntry, error) {
	out, err := exec.Command(tools.Busybox, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("listing busybox applets: %w", err)
	}
	dirs := map[string]os.FileMode{"bin": 0o755, "dev": 0o755, "etc": 0o755, "proc": 0o755, "root": 0o700,
		"sys": 0o755, "tmp": 0o1777, "usr": 0o755, "var": 0o755}
	var links []layerEntry
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		p := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "/")
		if p == "" || p == "bin/busybox" {
			continue
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if _, ok := dirs[d]; !ok {
				dirs[d] = 0o755
			}
		}
		// Hard links, as in Docker's busybox: masking one applet's path
		// (critest masks /bin/ls) must not mask the binary behind it.
		links = append(links, layerEntry{name: p, typ: tar.TypeLink, mode: 0o755, linkname: "bin/busybox"})
	}
	if len(links) == 0 {
		return nil, fmt.Errorf("busybox %q lists no applets", tools.Busybox)
	}

	var entries []layerEntry
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names) // parents sort before children
	for _, d := range names {
		entries = append(entries, layerEntry{name: d, typ: tar.TypeDir, mode: int64(dirs[d])})
	}
	entries = append(entries,
		layerEntry{name: "bin/busybox", typ: tar.TypeReg, mode: 0o755, src: tools.Busybox},
		layerEntry{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, body: []byte(passwd)},
		layerEntry{name: "etc/group", typ: tar.TypeReg, mode: 0o644, body: []byte(group)},
	)
	sort.Slice(links, func(i, j int) bool { return links[i].name < links[j].name })
	return append(entries, links...), nil
}

// passwd and group are the busybox image's account files.
const (
	passwd = "root:x:0:0:root:/root:/bin/sh\n" +
		"www-data:x:33:33:www-data:/var/www:/bin/false\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	group = "root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n"
)
