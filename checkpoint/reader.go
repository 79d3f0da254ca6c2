package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"go.uber.org/multierr"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// bundleVersion is the tensor bundle format version this package reads, as
// TensorFlow's kTensorBundleVersion: a bundle whose header asks for a newer
// consumer is refused.
const bundleVersion = 1

// Reader reads the tensors of one checkpoint. It holds the parsed index
// and, once a tensor has been read from them, the open data shards; tensor
// bytes are read from the shards when asked for, never cached. The methods
// are safe for concurrent use, except Close, which must not run while
// another method does.
type Reader struct {
	prefix    string // the checkpoint prefix: files are prefix.index, prefix.data-*
	indexPath string
	bigEndian bool
	numShards int32
	entries   map[string]*entry
	keys      []string // sorted, without the header and the slices of partitioned tensors
	openShard func(path string) (*shard, error)

	mu     sync.Mutex
	shards map[int32]*shard
	closed bool
}

// entry is one parsed BundleEntryProto.
type entry struct {
	proto *tfpb.BundleEntryProto
	shape tensor.Shape
}

// shard is one open data file.
type shard struct {
	path string
	r    io.ReaderAt
	size int64
	c    io.Closer // nil for in-memory shards
}

// Entry describes one tensor of a checkpoint, as its index records it.
type Entry struct {
	// Key is the tensor's key: the variable's name in TF1 checkpoints, an
	// object-graph path such as "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"
	// in TF2 ones.
	Key string
	// DType is the element type. It can be a TensorFlow type that a
	// [tensor.Tensor] cannot hold (variant), for which [Reader.Tensor]
	// returns an error wrapping [ErrUnsupported].
	DType tensor.DType
	// Shape is the full tensor's shape.
	Shape tensor.Shape
	// Shard, Offset and Size locate the tensor's bytes: Size bytes from
	// Offset in data shard number Shard. They are zero for a partitioned
	// tensor.
	Shard  int
	Offset int64
	Size   int64
	// Slices is the number of slices a partitioned tensor is stored in
	// (each under its own key), 0 for a tensor stored whole.
	Slices int
}

// Open opens the checkpoint at path and reads its index; tensors are read
// later, by [Reader.Tensor]. path can be:
//
//   - a checkpoint prefix, "dir/model.ckpt" for dir/model.ckpt.index and
//     dir/model.ckpt.data-00000-of-00001;
//   - the .index file, a data shard, or the .meta MetaGraph written next
//     to them;
//   - a directory holding a "checkpoint" state file, whose
//     model_checkpoint_path names the prefix (see the package
//     documentation for how it is resolved);
//   - a SavedModel directory (its variables/variables prefix) or its
//     variables directory;
//   - a directory holding exactly one .index file.
//
// The old V1 format (one file, no .index) is refused with an error wrapping
// [ErrUnsupported] that names it. The caller must Close the Reader.
func Open(path string) (*Reader, error) {
	prefix, err := resolvePrefix(path)
	if err != nil {
		return nil, err
	}
	indexPath := prefix + ".index"
	data, err := readFile(indexPath, maxIndexBytes)
	if err != nil {
		return nil, &Error{File: indexPath, Err: osError(err)}
	}
	return newReader(prefix, indexPath, data, openFileShard)
}

// newReader parses an index held in data. openShard opens the data shard
// at a path; tests and fuzz targets pass in-memory shards.
func newReader(prefix, indexPath string, data []byte, openShard func(string) (*shard, error)) (*Reader, error) {
	r := &Reader{
		prefix:    prefix,
		indexPath: indexPath,
		entries:   map[string]*entry{},
		openShard: openShard,
		shards:    map[int32]*shard{},
	}
	var header *tfpb.BundleHeaderProto
	var keys []string
	err := readTable(data, func(k, value []byte) error {
		key := string(k)
		if header == nil {
			if key != "" {
				return fmt.Errorf("%w: first key is %q, not the empty key of the bundle header", ErrCorrupt, key)
			}
			header = &tfpb.BundleHeaderProto{}
			if err := proto.Unmarshal(value, header); err != nil {
				return fmt.Errorf("%w: bundle header: %v", ErrCorrupt, err)
			}
			return nil
		}
		e, err := parseEntry(value)
		if err != nil {
			return &Error{File: indexPath, Key: key, Err: err}
		}
		r.entries[key] = e
		keys = append(keys, key)
		return nil
	})
	if err == nil && header == nil {
		err = fmt.Errorf("%w: empty index: no bundle header", ErrCorrupt)
	}
	if err == nil {
		err = r.setHeader(header)
	}
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return nil, e
		}
		return nil, &Error{File: indexPath, Err: err}
	}
	r.keys = r.listedKeys(keys)
	return r, nil
}

// parseEntry decodes a BundleEntryProto and checks its shape.
func parseEntry(value []byte) (*entry, error) {
	p := &tfpb.BundleEntryProto{}
	if err := proto.Unmarshal(value, p); err != nil {
		return nil, fmt.Errorf("%w: bundle entry: %v", ErrCorrupt, err)
	}
	if p.GetShape().GetUnknownRank() {
		return nil, fmt.Errorf("%w: bundle entry has a shape of unknown rank", ErrCorrupt)
	}
	dims := make([]int64, len(p.GetShape().GetDim()))
	for i, d := range p.GetShape().GetDim() {
		dims[i] = d.GetSize()
	}
	shape, err := tensor.ShapeFromInt64s(dims)
	if err != nil {
		return nil, fmt.Errorf("%w: bundle entry shape %v: %v", ErrCorrupt, dims, err)
	}
	return &entry{proto: p, shape: shape}, nil
}

// setHeader checks the bundle header and records what it says.
func (r *Reader) setHeader(h *tfpb.BundleHeaderProto) error {
	switch h.GetEndianness() {
	case tfpb.BundleHeaderProto_LITTLE:
	case tfpb.BundleHeaderProto_BIG:
		r.bigEndian = true
	default:
		return fmt.Errorf("%w: bundle header endianness %d", ErrCorrupt, h.GetEndianness())
	}
	if v := h.GetVersion(); v.GetMinConsumer() > bundleVersion || slices.Contains(v.GetBadConsumers(), bundleVersion) {
		return fmt.Errorf("%w: bundle format version %d (min consumer %d) is newer than the version %d this reader knows",
			ErrUnsupported, v.GetProducer(), v.GetMinConsumer(), bundleVersion)
	}
	r.numShards = h.GetNumShards()
	return nil
}

// listedKeys returns the keys [Reader.Keys] lists: all but the slices of
// partitioned tensors, which are read through their full tensor's key.
func (r *Reader) listedKeys(all []string) []string {
	hidden := map[string]bool{}
	for _, k := range all {
		for _, s := range r.entries[k].proto.GetSlices() {
			hidden[sliceKey(k, s)] = true
		}
	}
	out := make([]string, 0, len(all))
	for _, k := range all {
		if !hidden[k] {
			out = append(out, k)
		}
	}
	return out
}

// Keys returns the keys of the checkpoint's tensors in sorted (byte) order,
// without the bundle header's empty key and without the keys of the slices
// a partitioned tensor is stored in.
func (r *Reader) Keys() []string { return slices.Clone(r.keys) }

// Entry returns what the index says about the tensor under key, and false
// when there is none.
func (r *Reader) Entry(key string) (Entry, bool) {
	e, ok := r.entries[key]
	if !ok {
		return Entry{}, false
	}
	p := e.proto
	return Entry{
		Key:    key,
		DType:  tensor.DType(p.GetDtype()),
		Shape:  e.shape.Clone(),
		Shard:  int(p.GetShardId()),
		Offset: p.GetOffset(),
		Size:   p.GetSize(),
		Slices: len(p.GetSlices()),
	}, true
}

// Tensor reads the tensor under key from its data shard (or, for a
// partitioned tensor, from the shards of its slices), verifies its CRC32C,
// converts it from a big-endian bundle's byte order, and returns it. The
// tensor is new: nothing is cached, and the caller owns it.
func (r *Reader) Tensor(key string) (*tensor.Tensor, error) {
	e, ok := r.entries[key]
	if !ok {
		return nil, &Error{File: r.indexPath, Key: key, Err: fmt.Errorf("%w: no tensor with this key", ErrNotFound)}
	}
	var t *tensor.Tensor
	var err *Error
	if len(e.proto.GetSlices()) > 0 {
		t, err = r.assemble(key, e)
	} else {
		t, err = r.read(e)
	}
	if err != nil {
		err.Key = key
		return nil, err
	}
	return t, nil
}

// Close closes the data shards the Reader opened. It is safe to call more
// than once; later reads return [ErrClosed].
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs error
	for _, id := range sortedShardIDs(r.shards) {
		if s := r.shards[id]; s.c != nil {
			if err := s.c.Close(); err != nil {
				errs = multierr.Append(errs, &Error{File: s.path, Err: err})
			}
		}
	}
	r.shards = map[int32]*shard{}
	r.closed = true
	return errs
}

func sortedShardIDs(m map[int32]*shard) []int32 {
	ids := make([]int32, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// shard returns data shard id, opening it the first time.
func (r *Reader) shard(id int32) (*shard, *Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, &Error{File: r.indexPath, Err: ErrClosed}
	}
	if id < 0 || id >= r.numShards {
		return nil, &Error{File: r.indexPath, Err: fmt.Errorf("%w: shard_id %d, but the header says %d shards", ErrCorrupt, id, r.numShards)}
	}
	if s, ok := r.shards[id]; ok {
		return s, nil
	}
	path := fmt.Sprintf("%s.data-%05d-of-%05d", r.prefix, id, r.numShards)
	s, err := r.openShard(path)
	if err != nil {
		return nil, &Error{File: path, Err: err}
	}
	r.shards[id] = s
	return s, nil
}

// openFileShard opens a data shard file.
func openFileShard(path string) (*shard, error) {
	f, size, err := openFile(path, -1)
	if err != nil {
		return nil, fmt.Errorf("data shard: %w", osError(err))
	}
	return &shard{path: path, r: f, size: size, c: f}, nil
}

// maxIndexBytes bounds an .index file, which is read whole: TensorFlow's
// hold about a hundred bytes per tensor.
const maxIndexBytes = 1 << 30

// openFile opens a checkpoint file by the rules for every file a model
// names (graph.OpenModelFile): a regular file inside its directory after
// symbolic links, never a FIFO or a device, at most maxBytes long
// (negative: no limit). It returns the file and its size.
func openFile(path string, maxBytes int64) (*os.File, int64, error) {
	return graph.OpenModelFile(filepath.Dir(path), filepath.Base(path), maxBytes)
}

// readFile reads a whole checkpoint file opened by openFile.
func readFile(path string, maxBytes int64) ([]byte, error) {
	f, size, err := openFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return data, nil
}

// osError drops the path from a file error (the [Error] names the file)
// and wraps a missing file's error in ErrNotFound.
func osError(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		err = fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}
