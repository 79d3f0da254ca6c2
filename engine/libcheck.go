package engine

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/tfoffload/tfoffload/internal/fsutil"
)

// pinnedSHA256 holds, by GOARCH, the SHA-256 of the libonnxruntime.so.1
// that scripts/install-onnxruntime.sh installs into the user cache for
// ONNX Runtime pinnedVersion. The script is the source of truth;
// TestPinnedChecksumsMatchScript keeps these equal to it.
var pinnedSHA256 = map[string]string{
	"amd64": "ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23",
	"arm64": "1f549d46250b005580b597f4164984aaf75b3bcb9f3aeb07c7f8a8fe60b23c76",
}

// cachedLibrarySHA256 returns the checksum the cached library must have on
// this machine, or "" where the install script installs nothing.
func cachedLibrarySHA256() string {
	if runtime.GOOS != "linux" {
		return ""
	}
	return pinnedSHA256[runtime.GOARCH]
}

// errLibraryMissing is the reason for a library file that does not exist.
var errLibraryMissing = errors.New("not found")

// elfMachines maps GOARCH to the ELF machine its shared objects are built
// for. An architecture missing here gets no machine check.
var elfMachines = map[string]elf.Machine{
	"386":     elf.EM_386,
	"amd64":   elf.EM_X86_64,
	"arm":     elf.EM_ARM,
	"arm64":   elf.EM_AARCH64,
	"loong64": elf.EM_LOONGARCH,
	"ppc64":   elf.EM_PPC64,
	"ppc64le": elf.EM_PPC64,
	"riscv64": elf.EM_RISCV,
	"s390x":   elf.EM_S390,
}

// checkLibraryFile verifies that path is a shared library this process
// can dlopen without the loader touching bytes that are not there: a
// regular file; on ELF systems an ELF shared object for this
// architecture whose size covers its program and section header tables
// and every segment and section; and, when wantSHA256 is not empty, with
// that SHA-256. dlopen maps a truncated library and dies of SIGBUS on the
// missing pages, which no error return can report, hence the size check.
// The error is the one-line reason, without the path.
func checkLibraryFile(path, wantSHA256 string) error {
	// O_NONBLOCK: opening a FIFO must not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return errLibraryMissing
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot stat: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fsutil.Kind(st.Mode()))
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" {
		if err := checkELF(f, st.Size()); err != nil {
			return err
		}
	}
	if wantSHA256 != "" {
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return fmt.Errorf("cannot read: %w", err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != wantSHA256 {
			return fmt.Errorf("checksum mismatch: SHA-256 %s, want %s (ONNX Runtime %s for %s/%s); reinstall it with scripts/install-onnxruntime.sh",
				got, wantSHA256, pinnedVersion, runtime.GOOS, runtime.GOARCH)
		}
	}
	return nil
}

// checkELF checks the ELF identification and header against this process,
// then that size covers everything the header and tables point at.
func checkELF(r io.ReaderAt, size int64) error {
	if size == 0 {
		return errors.New("not an ELF shared object: an empty file")
	}
	var ident [elf.EI_NIDENT]byte
	n, _ := r.ReadAt(ident[:], 0)
	if n < len(elf.ELFMAG) || string(ident[:len(elf.ELFMAG)]) != elf.ELFMAG {
		return fmt.Errorf("not an ELF shared object: no ELF magic number (starts with %q)", ident[:min(n, len(elf.ELFMAG))])
	}
	if n < len(ident) {
		return fmt.Errorf("not an ELF shared object: %d bytes, too short for an ELF header", size)
	}
	wantClass := elf.ELFCLASS64
	if unsafe.Sizeof(uintptr(0)) == 4 {
		wantClass = elf.ELFCLASS32
	}
	if class := elf.Class(ident[elf.EI_CLASS]); class != wantClass {
		return fmt.Errorf("wrong architecture: %s, this process needs %s", class, wantClass)
	}
	wantData := elf.ELFDATA2LSB
	if binary.NativeEndian.Uint16([]byte{0, 1}) == 1 {
		wantData = elf.ELFDATA2MSB
	}
	if data := elf.Data(ident[elf.EI_DATA]); data != wantData {
		return fmt.Errorf("wrong architecture: %s, this process needs %s", data, wantData)
	}
	hdr, err := readELFHeader(r, wantClass)
	if err != nil {
		return fmt.Errorf("not an ELF shared object: %d bytes, too short for an ELF header", size)
	}
	if want, ok := elfMachines[runtime.GOARCH]; ok && hdr.machine != want {
		return fmt.Errorf("wrong architecture: built for %s, this process is %s (%s)", hdr.machine, runtime.GOARCH, want)
	}
	if hdr.typ != elf.ET_DYN {
		return fmt.Errorf("not an ELF shared object: type %s", hdr.typ)
	}
	if need := hdr.tablesEnd(); need > uint64(size) {
		return truncated(size, need)
	}
	ef, err := elf.NewFile(r)
	if err != nil {
		return fmt.Errorf("not an ELF shared object: %w", err)
	}
	need := hdr.tablesEnd()
	for _, p := range ef.Progs {
		need = max(need, end(p.Off, p.Filesz))
	}
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_NOBITS {
			need = max(need, end(s.Offset, s.FileSize))
		}
	}
	if need > uint64(size) {
		return truncated(size, need)
	}
	return nil
}

func truncated(size int64, need uint64) error {
	return fmt.Errorf("truncated: %d bytes, needs %d", size, need)
}

// elfHeader is the part of the ELF header the size checks use.
type elfHeader struct {
	typ                     elf.Type
	machine                 elf.Machine
	ehsize                  uint64
	phoff, phentsize, phnum uint64
	shoff, shentsize, shnum uint64
}

// tablesEnd is the file size the header and the two header tables need.
// With more than 0xff00 sections, e_shnum is 0 and the count is in the
// first section header, which is counted here.
func (h elfHeader) tablesEnd() uint64 {
	shnum := h.shnum
	if shnum == 0 && h.shoff != 0 {
		shnum = 1
	}
	return max(h.ehsize, end(h.phoff, mul(h.phnum, h.phentsize)), end(h.shoff, mul(shnum, h.shentsize)))
}

// readELFHeader reads the header of an ELF file of the native byte order
// and the given class.
func readELFHeader(r io.ReaderAt, class elf.Class) (elfHeader, error) {
	sr := io.NewSectionReader(r, 0, math.MaxInt64)
	if class == elf.ELFCLASS32 {
		var h elf.Header32
		if err := binary.Read(sr, binary.NativeEndian, &h); err != nil {
			return elfHeader{}, err
		}
		return elfHeader{typ: elf.Type(h.Type), machine: elf.Machine(h.Machine), ehsize: max(uint64(h.Ehsize), uint64(binary.Size(h))),
			phoff: uint64(h.Phoff), phentsize: uint64(h.Phentsize), phnum: uint64(h.Phnum),
			shoff: uint64(h.Shoff), shentsize: uint64(h.Shentsize), shnum: uint64(h.Shnum)}, nil
	}
	var h elf.Header64
	if err := binary.Read(sr, binary.NativeEndian, &h); err != nil {
		return elfHeader{}, err
	}
	return elfHeader{typ: elf.Type(h.Type), machine: elf.Machine(h.Machine), ehsize: max(uint64(h.Ehsize), uint64(binary.Size(h))),
		phoff: h.Phoff, phentsize: uint64(h.Phentsize), phnum: uint64(h.Phnum),
		shoff: h.Shoff, shentsize: uint64(h.Shentsize), shnum: uint64(h.Shnum)}, nil
}

// end returns off+n, saturating instead of wrapping around.
func end(off, n uint64) uint64 {
	if off > math.MaxUint64-n {
		return math.MaxUint64
	}
	return off + n
}

// mul returns a*b, saturating instead of wrapping around.
func mul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}
