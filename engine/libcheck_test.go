package engine

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minimalELF returns the 64-byte header of an ELF64 file of this
// machine's byte order with no program or section headers, changed by
// edit: the smallest file checkELF accepts as a shared object.
func minimalELF(t *testing.T, edit func(h *elf.Header64)) []byte {
	t.Helper()
	if strconv.IntSize != 64 {
		t.Skip("the test ELF headers are ELF64")
	}
	machine, ok := elfMachines[runtime.GOARCH]
	if !ok {
		t.Skipf("no ELF machine known for %s", runtime.GOARCH)
	}
	h := elf.Header64{Type: uint16(elf.ET_DYN), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT),
		Ehsize: 64, Phentsize: 56, Shentsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		h.Ident[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	h.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	if edit != nil {
		edit(&h)
	}
	var b bytes.Buffer
	require.NoError(t, binary.Write(&b, binary.NativeEndian, &h))
	return b.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// realLibrary returns the file of the ONNX Runtime library this process
// loads, skipping when there is none or it comes from the system loader's
// search.
func realLibrary(t *testing.T) string {
	t.Helper()
	requireORT(t)
	p, err := LibraryPath()
	require.NoError(t, err)
	if !filepath.IsAbs(p) {
		t.Skipf("ONNX Runtime comes from the system loader (%s), not a file", p)
	}
	return p
}

// copyPrefix writes the first n bytes of src (all of it when n < 0) to a
// new file in dir, changed by edit.
func copyPrefix(t *testing.T, src, dir, name string, n int64, edit func(f *os.File)) string {
	t.Helper()
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	dst := filepath.Join(dir, name)
	out, err := os.Create(dst)
	require.NoError(t, err)
	if n < 0 {
		_, err = io.Copy(out, in)
	} else {
		_, err = io.CopyN(out, in, n)
	}
	require.NoError(t, err)
	if edit != nil {
		edit(out)
	}
	require.NoError(t, out.Close())
	return dst
}

func TestCheckLibraryFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.so")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	otherMachine := elf.EM_AARCH64
	if runtime.GOARCH == "arm64" {
		otherMachine = elf.EM_X86_64
	}
	tests := []struct {
		name string
		path string
		want string // the whole reason, or a prefix ending in ": "
	}{
		{"missing", filepath.Join(dir, "absent.so"), "not found"},
		{"directory", dir, "not a regular file (a directory)"},
		{"fifo", fifo, "not a regular file (a FIFO)"},
		{"empty", writeFile(t, dir, "empty.so", nil), "not an ELF shared object: an empty file"},
		{"two bytes", writeFile(t, dir, "two.so", []byte("\x7fE")), `not an ELF shared object: no ELF magic number (starts with "\x7fE")`},
		{"ident cut short", writeFile(t, dir, "ident.so", minimalELF(t, nil)[:10]), "not an ELF shared object: 10 bytes, too short for an ELF header"},
		{"text", writeFile(t, dir, "text.so", []byte("INPUT(libonnxruntime.so.1)\n")), `not an ELF shared object: no ELF magic number (starts with "INPU")`},
		{"header cut short", writeFile(t, dir, "short.so", minimalELF(t, nil)[:40]), "not an ELF shared object: 40 bytes, too short for an ELF header"},
		{"valid", writeFile(t, dir, "ok.so", minimalELF(t, nil)), ""},
		{"other machine", writeFile(t, dir, "arm.so", minimalELF(t, func(h *elf.Header64) { h.Machine = uint16(otherMachine) })),
			"wrong architecture: built for " + otherMachine.String() + ", this process is " + runtime.GOARCH + " (" + elfMachines[runtime.GOARCH].String() + ")"},
		{"32-bit", writeFile(t, dir, "32.so", minimalELF(t, func(h *elf.Header64) { h.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS32) })),
			"wrong architecture: ELFCLASS32, this process needs ELFCLASS64"},
		{"executable", writeFile(t, dir, "exec.so", minimalELF(t, func(h *elf.Header64) { h.Type = uint16(elf.ET_EXEC) })),
			"not an ELF shared object: type ET_EXEC"},
		{"section table past the end", writeFile(t, dir, "shoff.so", minimalELF(t, func(h *elf.Header64) { h.Shoff, h.Shnum = 4096, 3 })),
			"truncated: 64 bytes, needs 4288"},
		{"program table past the end", writeFile(t, dir, "phoff.so", minimalELF(t, func(h *elf.Header64) { h.Phoff, h.Phnum = 64, 2 })),
			"truncated: 64 bytes, needs 176"},
		{"overflowing table", writeFile(t, dir, "huge.so", minimalELF(t, func(h *elf.Header64) { h.Shoff, h.Shnum = 1<<64-8, 0xffff })),
			"truncated: 64 bytes, needs 18446744073709551615"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkLibraryFile(tc.path, "")
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestCheckRealLibrary damages copies of the real library: cut at several
// places (what dlopen dies of with SIGBUS) and with one byte changed (what
// only the checksum sees).
func TestCheckRealLibrary(t *testing.T) {
	real := realLibrary(t)
	st, err := os.Stat(real)
	require.NoError(t, err)
	size := st.Size()
	dir := t.TempDir()
	for _, n := range []int64{1000, size / 2, size - 1} {
		t.Run("cut at "+strconv.FormatInt(n, 10), func(t *testing.T) {
			p := copyPrefix(t, real, dir, "cut.so", n, nil)
			err := checkLibraryFile(p, "")
			require.Error(t, err)
			assert.Regexp(t, "^truncated: "+strconv.FormatInt(n, 10)+" bytes, needs [0-9]+$", err.Error())
		})
	}
	t.Run("whole", func(t *testing.T) {
		assert.NoError(t, checkLibraryFile(real, ""))
	})
	want := cachedLibrarySHA256()
	if want == "" {
		t.Skipf("no pinned checksum for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	cached, err := cachedLibraryPath()
	require.NoError(t, err)
	if real != cached {
		t.Skipf("the library in use (%s) is not the installed copy (%s)", real, cached)
	}
	t.Run("pinned checksum", func(t *testing.T) {
		assert.NoError(t, checkLibraryFile(real, want))
	})
	t.Run("one byte changed", func(t *testing.T) {
		p := copyPrefix(t, real, dir, "flipped.so", -1, func(f *os.File) {
			_, err := f.WriteAt([]byte{0xff}, size-2)
			require.NoError(t, err)
		})
		require.NoError(t, checkLibraryFile(p, ""), "still a well-formed ELF file")
		err := checkLibraryFile(p, want)
		require.Error(t, err)
		assert.Regexp(t, "^checksum mismatch: SHA-256 [0-9a-f]{64}, want "+want+" .*scripts/install-onnxruntime.sh$", err.Error())
	})
}

// TestPinnedChecksumsMatchScript keeps the Go copies of the install
// script's version and checksums equal to the script's.
func TestPinnedChecksumsMatchScript(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "scripts", "install-onnxruntime.sh"))
	require.NoError(t, err)
	assign := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `="([^"]*)"$`).FindSubmatch(script)
		require.NotNil(t, m, "the script assigns %s", name)
		return string(m[1])
	}
	assert.Equal(t, pinnedVersion, assign("ort_version"))
	assert.Equal(t, map[string]string{"amd64": assign("sha256_x64"), "arm64": assign("sha256_arm64")}, pinnedSHA256)
}

// TestDamagedLibrary runs Init on damaged libraries in a fresh test
// process, where no library is loaded yet: before the checks, the cut
// copy killed that process with SIGBUS inside dlopen.
func TestDamagedLibrary(t *testing.T) {
	if os.Getenv("TFOFFLOAD_ENGINE_DAMAGED_LIBRARY") == "1" {
		damagedLibraryChild(t)
		return
	}
	real := realLibrary(t)
	st, err := os.Stat(real)
	require.NoError(t, err)
	dir := t.TempDir()
	cut := copyPrefix(t, real, dir, "cut.so", st.Size()/2, nil)
	tiny := copyPrefix(t, real, dir, "tiny.so", 1000, nil)
	junk := writeFile(t, dir, "junk.so", []byte("not a library"))
	pie, err := exec.LookPath("ls") // a position-independent executable: ET_DYN, but dlopen refuses it
	require.NoError(t, err)

	cases := []struct{ name, path, want string }{
		{"cut in half", cut, "truncated: " + strconv.FormatInt(st.Size()/2, 10) + " bytes, needs "},
		{"first 1000 bytes", tiny, "truncated: 1000 bytes, needs "},
		{"junk", junk, "not an ELF shared object: no ELF magic number"},
		{"directory", dir, "not a regular file (a directory)"},
	}
	if f, err := elf.Open(pie); err == nil && f.Type == elf.ET_DYN {
		f.Close()
		cases = append(cases, struct{ name, path, want string }{"position-independent executable", pie, "dlopen failed: "})
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(exe, "-test.run=^TestDamagedLibrary$", "-test.v")
			cmd.Env = append(os.Environ(), "TFOFFLOAD_ENGINE_DAMAGED_LIBRARY=1", LibraryPathEnv+"="+tc.path)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "child process failed:\n%s", out)
			assert.Contains(t, string(out), "child: ErrLibraryUnusable: engine: no usable ONNX Runtime library (tried: $"+LibraryPathEnv+" "+tc.path+": "+tc.want)
		})
	}

	// A relative path names a file in the working directory; dlopen would
	// search the system's library directories for a bare name instead.
	t.Run("relative", func(t *testing.T) {
		wd := t.TempDir()
		require.NoError(t, os.Symlink(real, filepath.Join(wd, "libort-test.so")))
		cmd := exec.Command(exe, "-test.run=^TestDamagedLibrary$", "-test.v")
		cmd.Dir = wd
		cmd.Env = append(os.Environ(), "TFOFFLOAD_ENGINE_DAMAGED_LIBRARY=1", LibraryPathEnv+"=libort-test.so")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "child process failed:\n%s", out)
		assert.Contains(t, string(out), "child: loaded "+filepath.Join(wd, "libort-test.so")+"\n")
	})
}

func damagedLibraryChild(t *testing.T) {
	err := Init()
	if err == nil {
		p, err := LibraryPath()
		require.NoError(t, err)
		t.Log("child: loaded " + p)
		return
	}
	require.ErrorIs(t, err, ErrLibraryNotFound)
	require.ErrorIs(t, err, ErrLibraryUnusable)
	var le *LibraryError
	require.ErrorAs(t, err, &le)
	require.Len(t, le.Tried, 1)
	assert.True(t, le.Tried[0].Unusable)
	assert.False(t, lib.loaded)
	assert.NotContains(t, err.Error(), "\n")
	t.Log("child: ErrLibraryUnusable: " + strings.TrimSpace(err.Error()))
}
