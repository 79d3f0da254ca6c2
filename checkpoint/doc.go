// Package checkpoint reads TensorFlow checkpoints: the tensor bundles
// (format V2) that tf.train.Saver, tf.train.Checkpoint and SavedModel's
// variables/ directory hold.
//
// # Reading
//
// [Open] takes a checkpoint prefix ("model.ckpt"), its .index or .meta
// file, a directory with a "checkpoint" state file, or a SavedModel
// directory, and reads the index: what tensors there are, their dtypes and
// shapes, where their bytes lie. [Reader.Keys] lists the tensors and
// [Reader.Entry] describes one. [Reader.Tensor] reads one tensor from its
// data shard when asked for it, with ReadAt straight into the tensor's
// memory: a checkpoint's data is read once and held once, by the tensors
// the caller keeps. Shards are opened on first use and closed by
// [Reader.Close].
//
// TF2 checkpoints key their tensors by object-graph paths
// ("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE") and store the
// object graph itself under [ObjectGraphKey]. [Reader.ObjectValues] lists
// every saved value with its object path, the variable name it had when
// saved ("dense/kernel") and its key; [Reader.ObjectGraph] returns the
// decoded graph.
//
// # Format
//
// A checkpoint with prefix P is the file P.index and the data shards
// P.data-00000-of-0000N.
//
// The index is a LevelDB table (TensorFlow's lib/io/table): data blocks,
// an index block, and a 48-byte footer. The footer holds two block handles
// (the metaindex block's, unused by TensorFlow, and the index block's),
// each a varint64 offset and a varint64 size, zero padding to 40 bytes,
// and the little-endian magic number 0xdb4775248b80fb57. Every block is
// followed by a 5-byte trailer: a compression type (0 none, 1 snappy) and
// the masked CRC32C (Castagnoli) of the block contents and that type byte.
// TensorFlow masks a CRC as ((crc >> 15) | (crc << 17)) + 0xa282ead8. A
// block is a run of entries — varint32 count of key bytes shared with the
// previous key, varint32 count of unshared bytes, varint32 value length,
// the unshared key bytes, the value — followed by the uint32 offsets of
// its restart points (entries that share nothing) and their uint32 count.
// The index block maps the last key of each data block to the data
// block's handle. Keys are sorted bytewise.
//
// The table's first key is the empty string; its value is a
// BundleHeaderProto: the number of shards, the endianness of the tensor
// bytes, and the format version. Every other key names a tensor, and its
// value is a BundleEntryProto: dtype, shape, shard number, offset and size
// of the bytes in that shard, and the masked CRC32C of those bytes.
//
// Fixed-size dtypes (floats including half and bfloat16, integers, bool,
// complex) are stored as their elements' bytes in row-major order, in the
// header's byte order; this package swaps big-endian bundles to the
// host's order after verifying the CRC, which covers the stored bytes. A
// DT_STRING tensor is stored as one varint64 length per element, then
// the masked CRC32C of the lengths (each taken as a uint32 in the bundle's
// byte order, or as a uint64 when it does not fit), then the element
// bytes back to back; the entry's CRC32C covers the lengths as
// checksummed, the 4 stored checksum bytes, and the element bytes.
// Variant and resource tensors are reported as unsupported; quantized
// ones (qint8, …) read as their integers.
//
// A partitioned variable has an entry with dtype and full shape but no
// bytes, and a list of slices (one extent per dimension: start and
// length, or the whole dimension). Each slice is stored as a tensor of its
// own under the key TensorFlow's checkpoint::EncodeTensorNameSlice makes
// with OrderedCode: the number 0, the name, the rank, then each extent's
// start and length as signed numbers (a whole dimension is 0, -1).
// [Reader.Tensor] assembles the full tensor, reading slices that are
// contiguous in it (as partitioning along the first axis gives) directly
// into place; the slices must tile the full shape exactly once.
// [Reader.Keys] lists the partitioned tensor, not its slices.
//
// # Paths
//
// A directory is resolved in this order: its "checkpoint" state file, the
// text proto TensorFlow's savers write, whose model_checkpoint_path names
// the latest checkpoint; variables/variables (a SavedModel); variables
// (a SavedModel's variables directory); its only .index file. A relative
// model_checkpoint_path is relative to the directory and must not leave
// it. An absolute one is used when it lies inside the directory; otherwise
// its last element is looked up in the directory, since savers record
// absolute paths and checkpoints are moved after saving. Shard paths are
// always built from the prefix, so they stay next to the index. The V1
// format (a single table file without .index) is refused with an error
// that names it.
//
// # Errors
//
// Files are untrusted: every length, offset and count is checked against
// the bytes there are before anything is allocated or read, and bad input
// never panics. Every error is an [*Error] naming the file (the index, a
// shard, the state file) and, when one is concerned, the tensor's key. It
// wraps [ErrCorrupt], [ErrChecksum], [ErrNotFound], [ErrUnsupported] or
// [ErrClosed] — or, for an I/O failure other than a missing file, the
// operating system's error.
package checkpoint
