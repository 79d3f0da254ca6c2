package engine

/*
#include <stdlib.h>
#include "ort.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// LibraryPathEnv names the environment variable that points engine at an
// ONNX Runtime shared library, for example a build with the CUDA, TensorRT
// or OpenVINO providers.
const LibraryPathEnv = "ONNXRUNTIME_SHARED_LIBRARY_PATH"

// pinnedVersion is the ONNX Runtime release scripts/install-onnxruntime.sh
// installs; the cache path contains it.
const pinnedVersion = "1.30.0"

// The library is loaded at most once per process; lib guards that state.
var lib struct {
	mu     sync.Mutex
	loaded bool
	path   string
}

// InitOption configures Init.
type InitOption func(*initConfig)

type initConfig struct {
	libraryPath string
}

// WithLibraryPath makes Init load the ONNX Runtime shared library at path,
// ahead of ONNXRUNTIME_SHARED_LIBRARY_PATH and the default locations.
func WithLibraryPath(path string) InitOption {
	return func(c *initConfig) { c.libraryPath = path }
}

// Init loads the ONNX Runtime shared library and creates the process-wide
// ONNX Runtime environment, with ONNX Runtime's own logging limited to fatal
// errors. It is idempotent: once a library is loaded, later calls return nil
// (or an error if they name a different library, which cannot be swapped in
// a running process). A failed Init loads nothing, so it can be retried.
//
// The library is the first of, in order:
//
//  1. the path given with WithLibraryPath;
//  2. the path in $ONNXRUNTIME_SHARED_LIBRARY_PATH;
//  3. the per-user cache that scripts/install-onnxruntime.sh fills:
//     ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/onnxruntime/1.30.0/libonnxruntime.so.1;
//  4. libonnxruntime.so (libonnxruntime.dylib on macOS) through the system
//     loader's normal search.
//
// An explicit path (1 or 2) is used alone: if it cannot be loaded, Init
// fails rather than silently picking another library. A relative path is
// taken relative to the working directory, never searched for.
//
// Before a file is handed to dlopen it is checked: a regular file; an ELF
// shared object for this process's architecture (on ELF systems) whose
// size covers its header tables and every segment and section, since
// dlopen of a truncated library crashes the process; and for the cached
// copy (3) the SHA-256 the install script pins. When nothing loads, the
// error is a *LibraryError that wraps ErrLibraryNotFound (and
// ErrLibraryUnusable when a file was there but failed) and says, for every
// place tried, what was wrong.
//
// NewSession and AvailableProviders call Init with no options, so calling
// it is only needed to pick a library explicitly or to fail early.
func Init(opts ...InitOption) error {
	var cfg initConfig
	for _, o := range opts {
		o(&cfg)
	}
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if lib.loaded {
		if cfg.libraryPath != "" && absPath(cfg.libraryPath) != lib.path {
			return fmt.Errorf("engine: ONNX Runtime is already loaded from %s; cannot switch to %s in a running process",
				lib.path, cfg.libraryPath)
		}
		return nil
	}
	path, err := resolveLibrary(discover(cfg.libraryPath), loadLibrary)
	if err != nil {
		return err
	}
	lib.loaded, lib.path = true, path
	return nil
}

// LibraryPath returns the ONNX Runtime library in use, or, before Init has
// loaded one, the library Init would load with no options. For the system
// loader it returns the library name ("libonnxruntime.so"), found with a
// trial dlopen. The error wraps ErrLibraryNotFound when there is none.
func LibraryPath() (string, error) {
	lib.mu.Lock()
	defer lib.mu.Unlock()
	if lib.loaded {
		return lib.path, nil
	}
	return resolveLibrary(discover(""), func(path string) error {
		if strings.ContainsRune(path, '/') {
			return nil // a file that exists; loading it is left to Init
		}
		return probeLibrary(path)
	})
}

// Version returns the version of the loaded ONNX Runtime ("1.30.0"),
// loading it first if needed.
func Version() (string, error) {
	if err := Init(); err != nil {
		return "", err
	}
	return C.GoString(C.tfo_version()), nil
}

// candidate is one place the library may be.
type candidate struct {
	source string
	path   string
	// explicit marks a path the user chose: it is used alone, never
	// skipped in favour of a later candidate.
	explicit bool
	// file marks a path to check on disk; otherwise it is a name for the
	// system loader's search.
	file bool
	// sha256 is the checksum the file must have ("" for none).
	sha256 string
}

// discover lists the candidates in discovery order. explicit is the
// WithLibraryPath value ("" if none).
func discover(explicit string) []candidate {
	if explicit != "" {
		return []candidate{{source: "WithLibraryPath", path: explicit, explicit: true, file: true}}
	}
	if env := os.Getenv(LibraryPathEnv); env != "" {
		return []candidate{{source: "$" + LibraryPathEnv, path: env, explicit: true, file: true}}
	}
	var cands []candidate
	if p, err := cachedLibraryPath(); err == nil {
		cands = append(cands, candidate{source: "user cache", path: p, file: true, sha256: cachedLibrarySHA256()})
	}
	return append(cands, candidate{source: "system loader", path: systemLibraryName()})
}

// cachedLibraryPath is where scripts/install-onnxruntime.sh puts the
// library. os.UserCacheDir is ${XDG_CACHE_HOME:-$HOME/.cache} on Linux,
// as in the script.
func cachedLibraryPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "tfoffload", "onnxruntime", pinnedVersion, "libonnxruntime.so.1"), nil
}

func systemLibraryName() string {
	if runtime.GOOS == "darwin" {
		return "libonnxruntime.dylib"
	}
	return "libonnxruntime.so"
}

// resolveLibrary walks the candidates in order and returns the first path
// that passes checkLibraryFile and that open accepts; a file candidate is
// made absolute first, so that open never searches for it. An explicit
// candidate ends the search whatever happens.
func resolveLibrary(cands []candidate, open func(path string) error) (string, error) {
	libErr := &LibraryError{}
	if len(cands) > 0 && !cands[0].explicit {
		libErr.Tried = append(libErr.Tried,
			LibraryAttempt{Source: "WithLibraryPath", Reason: "not given"},
			LibraryAttempt{Source: "$" + LibraryPathEnv, Reason: "not set"})
	}
	for _, c := range cands {
		path, err := c.path, error(nil)
		if c.file {
			if path, err = filepath.Abs(c.path); err != nil {
				err = fmt.Errorf("cannot resolve the relative path: %w", err)
			} else {
				err = checkLibraryFile(path, c.sha256)
			}
		}
		if err == nil {
			if err = open(path); err == nil {
				return path, nil
			}
		}
		libErr.Tried = append(libErr.Tried, LibraryAttempt{Source: c.source, Path: path, Reason: err.Error(),
			Unusable: c.file && !errors.Is(err, errLibraryMissing)})
		if c.explicit {
			break
		}
	}
	return "", libErr
}

// absPath returns path made absolute, or path itself if that fails.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// loadLibrary loads the library for good; see tfo_load.
func loadLibrary(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if msg := C.tfo_load(cpath); msg != nil {
		return errors.New(strings.TrimSpace(cError(msg)))
	}
	return nil
}

// probeLibrary checks that the system loader can open path.
func probeLibrary(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if msg := C.tfo_probe(cpath); msg != nil {
		return errors.New(strings.TrimSpace(cError(msg)))
	}
	return nil
}
