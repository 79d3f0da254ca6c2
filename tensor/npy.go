package tensor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNPY reports a malformed .npy stream.
var ErrNPY = errors.New("tensor: bad .npy data")

const npyMagic = "\x93NUMPY"

// ReadNPYFile reads a .npy file; errors name the file. The array is read
// straight into the tensor's memory: reading takes the tensor's size and
// a buffer of at most 1 MiB, whatever the byte order or layout, and a
// header that claims more data than the file holds is refused before
// anything is allocated.
func ReadNPYFile(path string) (*Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	t, err := readNPY(bufio.NewReader(f), size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// WriteNPYFile writes t to a .npy file.
func WriteNPYFile(path string, t *Tensor) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := WriteNPY(w, t); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// ReadNPY reads one array in NumPy's .npy format (versions 1.0, 2.0 and
// 3.0). It accepts both byte orders, Fortran order, bool, every integer and
// float width NumPy has (float16 included), complex, fixed-width byte strings
// (|S<n>, trailing NULs stripped as NumPy does) and unicode strings (<U<n>),
// which become string tensors. Object arrays (pickles) are refused.
//
// When r tells how much it holds (a *bytes.Reader, *strings.Reader,
// *bytes.Buffer, or any io.Seeker such as an *os.File), the array is read
// straight into the tensor's memory, as [ReadNPYFile] does. From a reader
// of unknown length, arrays over 64 MiB are first read in 1 MiB chunks, so
// that a header claiming more than the stream holds costs no more than
// the stream; decoding them then peaks at twice their size.
func ReadNPY(r io.Reader) (*Tensor, error) {
	return readNPY(r, remainingBytes(r))
}

// remainingBytes returns how many bytes r has left to read, or -1 when r
// does not say.
func remainingBytes(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case io.Seeker:
		cur, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		end, err := v.Seek(0, io.SeekEnd)
		if err != nil {
			return -1
		}
		if _, err := v.Seek(cur, io.SeekStart); err != nil {
			return -1
		}
		return end - cur
	}
	return -1
}

const (
	// npyChunk bounds the buffers ReadNPY decodes through (Fortran
	// order, strings, streams of unknown length).
	npyChunk = 1 << 20
	// npyDirectMax is the largest array ReadNPY allocates on the word of
	// the header alone, for a stream of unknown length.
	npyDirectMax = 64 << 20
)

// readNPY reads a .npy stream of avail bytes (-1: unknown).
func readNPY(r io.Reader, avail int64) (*Tensor, error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("%w: missing header: %v", ErrNPY, err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, fmt.Errorf("%w: not a .npy file (bad magic)", ErrNPY)
	}
	var hlen, lenBytes int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: truncated header: %v", ErrNPY, err)
		}
		hlen, lenBytes = int(binary.LittleEndian.Uint16(b[:])), 2
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: truncated header: %v", ErrNPY, err)
		}
		hlen, lenBytes = int(binary.LittleEndian.Uint32(b[:])), 4
	default:
		return nil, fmt.Errorf("%w: unsupported format version %d.%d", ErrNPY, pre[6], pre[7])
	}
	if hlen > 1<<20 {
		return nil, fmt.Errorf("%w: header of %d bytes is implausibly large", ErrNPY, hlen)
	}
	header := make([]byte, hlen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("%w: truncated header: %v", ErrNPY, err)
	}
	h, err := parseNPYHeader(string(header))
	if err != nil {
		return nil, err
	}
	kind, err := parseDescr(h.descr)
	if err != nil {
		return nil, err
	}
	shape := Shape(h.shape)
	if err := shape.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNPY, err)
	}
	hi, need := bits.Mul64(uint64(shape.NumElements()), uint64(kind.itemSize))
	if hi != 0 || need > math.MaxInt64/2 {
		return nil, fmt.Errorf("%w: shape %v is too large", ErrNPY, shape)
	}
	truncated := func(found uint64) error {
		return fmt.Errorf("%w: data truncated: %v %s needs %d bytes, found %d", ErrNPY, shape, h.descr, need, found)
	}
	src := r
	if avail >= 0 {
		if left := uint64(max(0, avail-int64(len(pre)+lenBytes+hlen))); need > left {
			return nil, truncated(left)
		}
	} else if need > npyDirectMax {
		// The header's word is all there is: make the stream prove it
		// holds the data before the tensor is allocated.
		chunks, got, err := readChunks(r, need)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNPY, err)
		}
		if got != need {
			return nil, truncated(got)
		}
		src = chunks
	}
	t, err := kind.decode(src, shape, h.fortran)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data truncated: %v %s needs %d bytes: %v", ErrNPY, shape, h.descr, need, err)
	}
	return t, err
}

// readChunks reads up to n bytes of r into buffers of npyChunk bytes and
// returns a reader over them and the number of bytes read.
func readChunks(r io.Reader, n uint64) (io.Reader, uint64, error) {
	var (
		parts []io.Reader
		got   uint64
	)
	for got < n {
		b := make([]byte, min(n-got, npyChunk))
		k, err := io.ReadFull(r, b)
		got += uint64(k)
		parts = append(parts, bytes.NewReader(b[:k]))
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, got, err
		}
	}
	return io.MultiReader(parts...), got, nil
}

// npyKind is a parsed descr: how to decode the data bytes.
type npyKind struct {
	dtype     DType
	itemSize  int
	bigEndian bool
	text      byte // 'S' or 'U' for string arrays, 0 otherwise
}

func parseDescr(descr string) (npyKind, error) {
	if len(descr) < 2 {
		return npyKind{}, fmt.Errorf("%w: bad descr %q", ErrNPY, descr)
	}
	order, code, sizeStr := descr[0], descr[1], descr[2:]
	if order != '<' && order != '>' && order != '|' && order != '=' {
		order, code, sizeStr = '|', descr[0], descr[1:]
	}
	if code == 'O' {
		return npyKind{}, fmt.Errorf("%w: object arrays (pickled Python objects) are not supported", ErrNPY)
	}
	size, err := strconv.Atoi(sizeStr)
	if err != nil || size < 0 || size > 1<<24 {
		return npyKind{}, fmt.Errorf("%w: bad descr %q", ErrNPY, descr)
	}
	k := npyKind{itemSize: size, bigEndian: order == '>'}
	switch {
	case code == 'f' && size == 2:
		k.dtype = Float16
	case code == 'f' && size == 4:
		k.dtype = Float32
	case code == 'f' && size == 8:
		k.dtype = Float64
	case code == 'i' && size == 1:
		k.dtype = Int8
	case code == 'i' && size == 2:
		k.dtype = Int16
	case code == 'i' && size == 4:
		k.dtype = Int32
	case code == 'i' && size == 8:
		k.dtype = Int64
	case code == 'u' && size == 1:
		k.dtype = Uint8
	case code == 'u' && size == 2:
		k.dtype = Uint16
	case code == 'u' && size == 4:
		k.dtype = Uint32
	case code == 'u' && size == 8:
		k.dtype = Uint64
	case code == 'b' && size == 1:
		k.dtype = Bool
	case code == 'c' && size == 8:
		k.dtype = Complex64
	case code == 'c' && size == 16:
		k.dtype = Complex128
	case (code == 'S' || code == 'a' || code == 'U') && size == 0:
		// NumPy writes no zero-width strings; the header could make any
		// number of them from no data.
		return npyKind{}, fmt.Errorf("%w: zero-width string descr %q", ErrNPY, descr)
	case code == 'S' || code == 'a':
		k.dtype, k.text = String, 'S'
	case code == 'U':
		k.dtype, k.text, k.itemSize = String, 'U', size*4
	default:
		return npyKind{}, fmt.Errorf("%w: unsupported descr %q", ErrNPY, descr)
	}
	return k, nil
}

// decode reads the array's data from r. Numbers are read straight into
// the tensor's memory, then byte-swapped in place; a Fortran-order array
// goes through a bounded buffer, each element copied to its row-major
// place.
func (k npyKind) decode(r io.Reader, shape Shape, fortran bool) (*Tensor, error) {
	if k.text != 0 {
		return k.decodeText(r, shape, fortran)
	}
	if !hostLittleEndian {
		return nil, errors.New("tensor: big-endian hosts are not supported")
	}
	t, err := New(k.dtype, shape)
	if err != nil {
		return nil, err
	}
	dst := t.Bytes()
	if fortran && len(shape) > 1 {
		err = readFortran(r, dst, shape, k.itemSize)
	} else {
		_, err = io.ReadFull(r, dst)
	}
	if err != nil {
		return nil, err
	}
	if k.bigEndian && k.itemSize > 1 {
		swapBytes(dst, componentSize(k.dtype))
	}
	if k.dtype == Bool {
		// Set every true to 1 before the memory is read as []bool.
		for i, c := range dst {
			if c != 0 {
				dst[i] = 1
			}
		}
	}
	return t, nil
}

// readFortran reads column-major elements of size bytes from r and stores
// each at its row-major place in dst.
func readFortran(r io.Reader, dst []byte, shape Shape, size int) error {
	rank := len(shape)
	strides := shape.Strides()
	idx := make([]int, rank)
	c := 0 // row-major element index of idx
	buf := make([]byte, max(size, npyChunk/size*size))
	for left := len(dst); left > 0; {
		chunk := buf[:min(len(buf), left)]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return err
		}
		left -= len(chunk)
		for off := 0; off < len(chunk); off += size {
			copy(dst[c*size:(c+1)*size], chunk[off:off+size])
			for d := 0; d < rank; d++ { // Fortran order: first index fastest
				idx[d]++
				c += strides[d]
				if idx[d] < shape[d] {
					break
				}
				c -= idx[d] * strides[d]
				idx[d] = 0
			}
		}
	}
	return nil
}

// decodeText reads fixed-width byte ('S') or UTF-32 ('U') strings.
func (k npyKind) decodeText(r io.Reader, shape Shape, fortran bool) (*Tensor, error) {
	if err := CheckAlloc(String, shape); err != nil { // string headers outweigh 1-byte items
		return nil, err
	}
	n := shape.NumElements()
	vals := make([]string, n)
	rank := len(shape)
	strides := shape.Strides()
	idx := make([]int, rank)
	buf := make([]byte, max(k.itemSize, npyChunk/k.itemSize*k.itemSize))
	for i := 0; i < n; {
		chunk := buf[:min(len(buf), (n-i)*k.itemSize)]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return nil, err
		}
		for off := 0; off < len(chunk); off, i = off+k.itemSize, i+1 {
			v, err := k.decodeString(chunk[off : off+k.itemSize])
			if err != nil {
				return nil, err
			}
			if !fortran {
				vals[i] = v
				continue
			}
			c := 0
			for d := range rank {
				c += idx[d] * strides[d]
			}
			vals[c] = v
			for d := 0; d < rank; d++ {
				idx[d]++
				if idx[d] < shape[d] {
					break
				}
				idx[d] = 0
			}
		}
	}
	return FromSlice(shape, vals)
}

func (k npyKind) decodeString(item []byte) (string, error) {
	if k.text == 'S' {
		return string(bytes.TrimRight(item, "\x00")), nil
	}
	var sb strings.Builder
	for j := 0; j+4 <= len(item); j += 4 {
		var c uint32
		if k.bigEndian {
			c = binary.BigEndian.Uint32(item[j:])
		} else {
			c = binary.LittleEndian.Uint32(item[j:])
		}
		if c == 0 {
			break
		}
		if c > utf8.MaxRune {
			return "", fmt.Errorf("%w: invalid code point %#x in unicode array", ErrNPY, c)
		}
		sb.WriteRune(rune(c))
	}
	return sb.String(), nil
}

// componentSize is the byte-swap unit: complex numbers swap each part.
func componentSize(d DType) int {
	if d.IsComplex() {
		return d.Size() / 2
	}
	return d.Size()
}

func swapBytes(b []byte, unit int) {
	for i := 0; i+unit <= len(b); i += unit {
		for l, r := i, i+unit-1; l < r; l, r = l+1, r-1 {
			b[l], b[r] = b[r], b[l]
		}
	}
}

type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the Python dict literal of a .npy header.
func parseNPYHeader(s string) (npyHeader, error) {
	p := &pyParser{s: s}
	v, err := p.value()
	if err != nil {
		return npyHeader{}, fmt.Errorf("%w: header %q: %v", ErrNPY, strings.TrimSpace(s), err)
	}
	d, ok := v.(map[string]any)
	if !ok {
		return npyHeader{}, fmt.Errorf("%w: header is not a dict", ErrNPY)
	}
	var h npyHeader
	descr, ok := d["descr"].(string)
	if !ok {
		return h, fmt.Errorf("%w: header has no string 'descr'", ErrNPY)
	}
	h.descr = descr
	fo, ok := d["fortran_order"].(bool)
	if !ok {
		return h, fmt.Errorf("%w: header has no bool 'fortran_order'", ErrNPY)
	}
	h.fortran = fo
	shape, ok := d["shape"].([]any)
	if !ok {
		return h, fmt.Errorf("%w: header has no tuple 'shape'", ErrNPY)
	}
	for _, x := range shape {
		n, ok := x.(int)
		if !ok || n < 0 {
			return h, fmt.Errorf("%w: bad dimension %v in shape", ErrNPY, x)
		}
		h.shape = append(h.shape, n)
	}
	return h, nil
}

// pyParser reads the subset of Python literals .npy headers use: dicts,
// tuples, lists, strings, non-negative integers, True, False.
type pyParser struct {
	s   string
	pos int
}

func (p *pyParser) skip() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *pyParser) value() (any, error) {
	p.skip()
	if p.pos >= len(p.s) {
		return nil, errors.New("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		p.pos++
		m := map[string]any{}
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == '}' {
				p.pos++
				return m, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errors.New("dict key is not a string")
			}
			p.skip()
			if p.pos >= len(p.s) || p.s[p.pos] != ':' {
				return nil, errors.New("expected ':'")
			}
			p.pos++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			m[ks] = v
			if err := p.separator('}'); err != nil {
				return nil, err
			}
		}
	case c == '(' || c == '[':
		end := byte(')')
		if c == '[' {
			end = ']'
		}
		p.pos++
		var items []any
		for {
			p.skip()
			if p.pos < len(p.s) && p.s[p.pos] == end {
				p.pos++
				if items == nil {
					items = []any{}
				}
				return items, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			if err := p.separator(end); err != nil {
				return nil, err
			}
		}
	case c == '\'' || c == '"':
		end := strings.IndexByte(p.s[p.pos+1:], c)
		if end < 0 {
			return nil, errors.New("unterminated string")
		}
		str := p.s[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		return str, nil
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		// Python 2 wrote long dimensions as "3L".
		digits := p.s[start:p.pos]
		if p.pos < len(p.s) && p.s[p.pos] == 'L' {
			p.pos++
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			return nil, fmt.Errorf("bad integer %q", digits)
		}
		return n, nil
	case strings.HasPrefix(p.s[p.pos:], "True"):
		p.pos += 4
		return true, nil
	case strings.HasPrefix(p.s[p.pos:], "False"):
		p.pos += 5
		return false, nil
	default:
		return nil, fmt.Errorf("unexpected %q at offset %d", c, p.pos)
	}
}

// separator consumes a ',' or stops before the closing byte.
func (p *pyParser) separator(end byte) error {
	p.skip()
	if p.pos >= len(p.s) {
		return errors.New("unexpected end")
	}
	switch p.s[p.pos] {
	case ',':
		p.pos++
		return nil
	case end:
		return nil
	}
	return fmt.Errorf("expected ',' or %q at offset %d", end, p.pos)
}

// WriteNPY writes t in .npy format (version 1.0, or 2.0 when the header
// needs it), little-endian. bfloat16, which NumPy cannot hold, is written
// as float32; the quantized types, which NumPy has no plain dtype for, are
// written as the integers that hold them (qint8 as int8); strings are written as fixed-width byte strings |S<n>, n being
// the longest element (at least 1). Resource and variant tensors are an
// error.
func WriteNPY(w io.Writer, t *Tensor) error {
	if t.dtype == BFloat16 {
		vals := Values[BF16](t)
		f := make([]float32, len(vals))
		for i, v := range vals {
			f[i] = v.Float32()
		}
		t = MustFromSlice(t.shape, f)
	}
	var descr string
	var body []byte
	switch t.dtype {
	case String:
		vals := Values[string](t)
		width := 1
		for _, v := range vals {
			width = max(width, len(v))
		}
		descr = "|S" + strconv.Itoa(width)
		body = make([]byte, width*len(vals))
		for i, v := range vals {
			copy(body[i*width:], v)
		}
	case Resource, Variant:
		return fmt.Errorf("tensor: %v tensors cannot be written as .npy", t.dtype)
	default:
		descr = npyDescr(t.dtype.Storage())
		if t.dtype == Bool {
			body = make([]byte, t.NumElements())
			for i, v := range Values[bool](t) {
				if v {
					body[i] = 1
				}
			}
		} else {
			body = t.Bytes()
		}
	}
	dims := make([]string, len(t.shape))
	for i, d := range t.shape {
		dims[i] = strconv.Itoa(d)
	}
	shape := strings.Join(dims, ", ")
	if len(dims) == 1 {
		shape += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, shape)
	version, lenBytes := byte(1), 2
	if len(dict)+11 > math.MaxUint16 {
		version, lenBytes = 2, 4
	}
	pre := len(npyMagic) + 2 + lenBytes
	total := (pre + len(dict) + 1 + 63) / 64 * 64
	header := dict + strings.Repeat(" ", total-pre-len(dict)-1) + "\n"
	buf := make([]byte, 0, pre)
	buf = append(buf, npyMagic...)
	buf = append(buf, version, 0)
	if version == 1 {
		buf = binary.LittleEndian.AppendUint16(buf, uint16(len(header)))
	} else {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(header)))
	}
	for _, part := range [][]byte{buf, []byte(header), body} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

func npyDescr(d DType) string {
	code := map[DType]string{
		Float16: "<f2", Float32: "<f4", Float64: "<f8",
		Int8: "|i1", Int16: "<i2", Int32: "<i4", Int64: "<i8",
		Uint8: "|u1", Uint16: "<u2", Uint32: "<u4", Uint64: "<u8",
		Bool: "|b1", Complex64: "<c8", Complex128: "<c16",
	}
	return code[d]
}
