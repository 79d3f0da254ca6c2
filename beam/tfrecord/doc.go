// Package tfrecord reads and writes TensorFlow's TFRecord files: the
// record format tf.data.TFRecordDataset, tf.io.TFRecordWriter and Beam's
// Python tfrecordio use for tf.Example protos.
//
// # Format
//
// A file is a sequence of records, each
//
//	uint64 length (little-endian)
//	uint32 masked CRC-32C of the 8 length bytes
//	length bytes of data
//	uint32 masked CRC-32C of the data
//
// where a masked CRC is ((crc >> 15) | (crc << 17)) + 0xa282ead8, as in
// TensorFlow's core/lib/hash/crc32c.h. [Reader] checks both CRCs of every
// record, so a truncated or corrupted file is an error that says which
// record, never a silently shorter dataset. Files TensorFlow wrote with
// GZIP compression are read through [NewGzipReader]; ZLIB is not supported.
//
// # Limits
//
// A record's length comes from the file and is not trusted: [Reader]
// refuses a length over its limit ([DefaultMaxRecordBytes] unless
// [Reader.MaxRecordBytes] says otherwise) before allocating, and reads a
// large record in chunks, so a corrupt length costs no more memory than
// the bytes the file really holds.
package tfrecord
