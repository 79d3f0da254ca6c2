// Package lookup implements tfexec's kernels for TensorFlow's lookup
// tables (tf.lookup.StaticHashTable, tf.lookup.StaticVocabularyTable's
// table, the vocabularies of tf.Transform and feature columns), with the
// semantics of TensorFlow's lookup_table_op.cc, lookup_table_init_op.cc,
// initializable_lookup_table.cc and lookup_util.cc. Importing the package
// registers its kernel table (ops.go).
//
// # Tables
//
// HashTable(V2) creates a table that is filled once and read-only after
// (TensorFlow's HashTable, an InitializableLookupTable);
// MutableHashTable(V2) one that LookupTableInsert(V2) and
// LookupTableRemoveV2 change at any time (MutableHashTableOfScalars).
// Keys and values are scalars of the dtype pairs TensorFlow registers:
// int32 keys to float64, float32, int32 or string; int64 keys to those and
// int64; string keys to bool, float64, float32, int32, int64 or string
// (mutable tables: no string values except for int64 keys, no int32 →
// string). Another pair is refused with kernel.ErrUnsupported when the
// node is prepared.
//
// Tables live in the executor's resources (kernel.Resources) from the run
// that first executes the creating node to the end of the executor, as in
// a TensorFlow session: every run, and every function the executor calls,
// sees the same table. A table is named as TensorFlow's ContainerInfo
// names it: container ("localhost" when empty) and shared_name, else the
// node's name with use_node_name_sharing, else a name private to the node.
// Two nodes naming one table share it; other dtypes for an existing table
// are an error. A V2 op passes a resource scalar holding the table; a V1
// op the two strings container and name, looked up again by each op.
//
// # Filling a table
//
// InitializeTable(V2) (two vectors) and, for a HashTable,
// LookupTableImport(V2) (keys and values of one shape) initialise it: a key
// given twice with different values is an error ("HashTable has different
// value for same key"), the same pair twice is not. A second
// initialisation of an initialised table changes nothing: it succeeds when
// it brings as many entries as the table holds and fails ("Table was
// already initialized with different data") otherwise, as TensorFlow's
// AreEntriesSame compares sizes only. A failed initialisation leaves the
// table empty and uninitialised (TensorFlow keeps the entries inserted
// before the failure, uninitialised). On a mutable table,
// LookupTableImport(V2) replaces the contents, LookupTableInsert(V2)
// inserts or updates, LookupTableRemoveV2 deletes; the Initialize ops
// refuse it ("not initializable"), and a HashTable refuses Insert and
// Remove with kernel.ErrUnsupported.
//
// InitializeTableFromTextFile(V2) reads a vocabulary file, as
// TextFileLineIterator does: one entry per line ('\n' ends a line; a '\r'
// before it is dropped; an empty line is an error naming the file and the
// byte position), key and value taken from column key_index and
// value_index of the line split at the one-character delimiter (empty
// columns count; a line with too few is an error), or -1 for the line
// number plus offset (int64 only) or -2 for the whole line. Numbers are
// parsed as TensorFlow's safe_strto32/64 (a '-' but no '+', spaces around)
// and safe_strtof/d (under 32 bytes, inf and nan, out-of-range values
// rounded); int32 fields get offset added, as TensorFlow does. With
// vocab_size ≥ 0 exactly that many lines are read (the rest of a longer
// file is ignored, a shorter one is an error); an empty file is an error.
// The file name is read through the executor's resources: it must lie
// inside the model directory given to tfexec.WithModelFiles (a
// SavedModel's assets are fed as "assets/NAME"), it must be a regular
// file, and at most tensor.MaxTensorBytes long; an executor without a
// model directory reads no files (kernel.ErrNoModelFiles). A table
// already initialised is left as it is once its file opens.
//
// # Reading a table
//
// LookupTableFind(V2) maps keys of any shape to values of the same shape;
// a missing key takes default_value, a scalar or (TensorFlow 2.9 and
// later) one default per key, of the keys' shape. Finding in a HashTable
// that is not initialised is an error ("Table not initialized.").
// LookupTableSize(V2) is the number of entries (0 before initialisation).
// LookupTableExport(V2) returns keys and values sorted by key, where
// TensorFlow gives its hash map's order; a HashTable must be initialised.
//
// Not implemented: MutableHashTableOfTensors, MutableDenseHashTable, the
// anonymous tables, InitializeTableFromDataset and variant values.
package lookup
