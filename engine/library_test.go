package engine

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscover(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	cached := filepath.Join(cache, "tfoffload", "onnxruntime", pinnedVersion, "libonnxruntime.so.1")

	tests := []struct {
		name     string
		explicit string
		env      string
		want     []candidate
	}{
		{"option wins", "/opt/ort/libonnxruntime.so", "/env/libonnxruntime.so",
			[]candidate{{source: "WithLibraryPath", path: "/opt/ort/libonnxruntime.so", explicit: true, file: true}}},
		{"variable next", "", "/env/libonnxruntime.so",
			[]candidate{{source: "$" + LibraryPathEnv, path: "/env/libonnxruntime.so", explicit: true, file: true}}},
		{"cache then system", "", "",
			[]candidate{{source: "user cache", path: cached, file: true, sha256: cachedLibrarySHA256()}, {source: "system loader", path: systemLibraryName()}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(LibraryPathEnv, tc.env)
			assert.Equal(t, tc.want, discover(tc.explicit))
		})
	}
}

func TestResolveLibrary(t *testing.T) {
	dir := t.TempDir()
	present := writeFile(t, dir, "libonnxruntime.so.1", minimalELF(t, nil))
	missing := filepath.Join(dir, "missing", "libonnxruntime.so")
	errBadELF := errors.New("invalid ELF header")

	cache := func(p string) candidate { return candidate{source: "user cache", path: p, file: true} }
	system := candidate{source: "system loader", path: "libonnxruntime.so"}
	option := func(p string) candidate {
		return candidate{source: "WithLibraryPath", path: p, explicit: true, file: true}
	}
	tests := []struct {
		name     string
		cands    []candidate
		opens    map[string]error // what open returns per path; absent: success
		want     string
		tried    []string // the reasons listed, in order, when it fails
		wantOpen []string // the paths handed to open
	}{
		{
			name: "cache", cands: []candidate{cache(present), system},
			want: present, wantOpen: []string{present},
		},
		{
			name: "cache missing, system loads", cands: []candidate{cache(missing), system},
			want: "libonnxruntime.so", wantOpen: []string{"libonnxruntime.so"},
		},
		{
			name: "cache unloadable, system loads", cands: []candidate{cache(present), system},
			opens: map[string]error{present: errBadELF},
			want:  "libonnxruntime.so", wantOpen: []string{present, "libonnxruntime.so"},
		},
		{
			name: "nothing", cands: []candidate{cache(missing), system},
			opens: map[string]error{"libonnxruntime.so": errors.New("libonnxruntime.so: cannot open shared object file")},
			tried: []string{"WithLibraryPath: not given", "$" + LibraryPathEnv + ": not set",
				"user cache " + missing + ": not found",
				"system loader libonnxruntime.so: libonnxruntime.so: cannot open shared object file"},
			wantOpen: []string{"libonnxruntime.so"},
		},
		{
			name: "explicit missing is final", cands: []candidate{option(missing), cache(present)},
			tried: []string{"WithLibraryPath " + missing + ": not found"},
		},
		{
			name: "explicit unloadable is final", cands: []candidate{option(present), cache(present)},
			opens:    map[string]error{present: errBadELF},
			tried:    []string{"WithLibraryPath " + present + ": invalid ELF header"},
			wantOpen: []string{present},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opened []string
			got, err := resolveLibrary(tc.cands, func(p string) error {
				opened = append(opened, p)
				return tc.opens[p]
			})
			assert.Equal(t, tc.wantOpen, opened)
			if tc.tried == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.ErrorIs(t, err, ErrLibraryNotFound)
			var le *LibraryError
			require.ErrorAs(t, err, &le)
			var reasons []string
			for _, a := range le.Tried {
				s := a.Source
				if a.Path != "" {
					s += " " + a.Path
				}
				reasons = append(reasons, s+": "+a.Reason)
			}
			assert.Equal(t, tc.tried, reasons)
			msg := err.Error()
			assert.Contains(t, msg, "scripts/install-onnxruntime.sh")
			assert.Contains(t, msg, LibraryPathEnv)
			for _, r := range tc.tried {
				assert.Contains(t, msg, r)
			}
		})
	}
}

// TestMissingLibrary runs a fresh test process whose only library choice is
// a path that does not exist, so this process's loaded library is not
// involved.
func TestMissingLibrary(t *testing.T) {
	if os.Getenv("TFOFFLOAD_ENGINE_MISSING_LIBRARY") == "1" {
		missingLibraryChild(t)
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so")
	cmd := exec.Command(exe, "-test.run=^TestMissingLibrary$", "-test.v")
	cmd.Env = append(os.Environ(), "TFOFFLOAD_ENGINE_MISSING_LIBRARY=1", LibraryPathEnv+"="+missing)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "child process failed:\n%s", out)
	assert.Contains(t, string(out), "child: ErrLibraryNotFound")
	assert.Contains(t, string(out), missing+": not found")
}

func missingLibraryChild(t *testing.T) {
	checks := map[string]error{}
	_, checks["NewSession"] = NewSession([]byte{1}, SessionOptions{})
	_, checks["AvailableProviders"] = AvailableProviders()
	_, checks["LibraryPath"] = LibraryPath()
	checks["Init"] = Init()
	for name, err := range checks {
		require.ErrorIs(t, err, ErrLibraryNotFound, name)
	}
	// A failed Init loads nothing, so a later one can still succeed.
	assert.False(t, lib.loaded)
	t.Log("child: ErrLibraryNotFound:", strings.TrimSpace(checks["Init"].Error()))
}

func TestLibraryPath(t *testing.T) {
	requireORT(t)
	p, err := LibraryPath()
	require.NoError(t, err)
	assert.NotEmpty(t, p)
	assert.NoError(t, Init(), "Init is idempotent")
	assert.NoError(t, Init(WithLibraryPath(p)), "naming the loaded library again is fine")
	assert.ErrorContains(t, Init(WithLibraryPath("/elsewhere/libonnxruntime.so")), "already loaded")
}
