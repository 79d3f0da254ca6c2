package testmodels

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoRealPhotos reports that scripts/install-photos.sh has not
// installed the photographic stamps of Debian's tuxpaint-stamps-default.
var ErrNoRealPhotos = errors.New("the real photo set is not installed (run scripts/install-photos.sh)")

// RealPhotos returns the PNG files scripts/install-photos.sh installed
// (cut-out photographs of animals, food, plants, objects, vehicles and
// coins), sorted by path, or an error wrapping ErrNoRealPhotos.
func RealPhotos() ([]string, error) {
	dir, err := cacheDir("photos")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRealPhotos, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".installed")); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRealPhotos, err)
	}
	var out []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".png") {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoRealPhotos, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no PNG files in %s", ErrNoRealPhotos, dir)
	}
	return out, nil
}

// cacheDir returns the folder of the per-user cache the install scripts
// fill (${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload) joined with parts.
func cacheDir(parts ...string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{cache, "tfoffload"}, parts...)...), nil
}
