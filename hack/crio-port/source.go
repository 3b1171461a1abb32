package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const crioModule = "github.com/cri-o/cri-o"

// fetchSource copies CRI-O's module source at version into dir (replaced),
// makes it writable and commits it to a fresh git repository there, so the
// port's changes are a diff against the pristine release.
func fetchSource(version, dir string) (string, error) {
	out, err := goCmd("", "mod", "download", "-json", crioModule+"@"+version)
	if err != nil {
		return "", fmt.Errorf("downloading %s@%s from the module proxy: %w", crioModule, version, err)
	}
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return "", fmt.Errorf("reading go mod download's answer: %w", err)
	}
	if mod.Error != "" || mod.Dir == "" {
		return "", fmt.Errorf("%s@%s: %s", crioModule, version, mod.Error)
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := removeAll(dir); err != nil {
		return "", err
	}
	if err := os.CopyFS(dir, os.DirFS(mod.Dir)); err != nil {
		return "", fmt.Errorf("copying %s: %w", mod.Dir, err)
	}
	if err := makeWritable(dir); err != nil {
		return "", err
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=crio-port", "-c", "user.email=crio-port@localhost", "commit", "-q", "-m", "CRI-O " + version},
	} {
		if _, err := gitCmd(dir, args...); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// removeAll removes dir, first making what the module cache copied
// read-only writable.
func removeAll(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := makeWritable(dir); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

func makeWritable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(p, info.Mode().Perm()|0o200)
	})
}

// writeDiff stages every change in tree, writes the full diff to path and
// returns its stat.
func writeDiff(tree, path string) (string, error) {
	if _, err := gitCmd(tree, "add", "-A"); err != nil {
		return "", err
	}
	diff, err := gitCmd(tree, "diff", "--cached")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, diff, 0o644); err != nil {
		return "", err
	}
	stat, err := gitCmd(tree, "diff", "--cached", "--stat=120")
	return string(stat), err
}

func gitCmd(dir string, args ...string) ([]byte, error) { return command(dir, "git", args...) }

func goCmd(dir string, args ...string) ([]byte, error) { return command(dir, "go", args...) }

func command(dir, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}
