package lookup

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Each op comes as TensorFlow's V2
// (a resource handle) and V1 (a two-string handle) form. The rows have no
// dtypes: a table's key and value dtypes are two attributes, whose pairs
// the creating ops check (hashPairs, mutablePairs), and the other ops
// check their inputs against the table's dtypes when they run.
var kernels = []kernel.Def{
	{Op: "HashTable", New: newCreate(false, false)},
	{Op: "HashTableV2", New: newCreate(false, true)},
	{Op: "MutableHashTable", New: newCreate(true, false)},
	{Op: "MutableHashTableV2", New: newCreate(true, true)},

	{Op: "InitializeTable", New: kernel.Stateless(initializeTable)},
	{Op: "InitializeTableV2", New: kernel.Stateless(initializeTable)},
	{Op: "InitializeTableFromTextFile", New: newInitializeFromTextFile},
	{Op: "InitializeTableFromTextFileV2", New: newInitializeFromTextFile},

	{Op: "LookupTableFind", New: kernel.Stateless(find)},
	{Op: "LookupTableFindV2", New: kernel.Stateless(find)},
	{Op: "LookupTableSize", New: kernel.Stateless(size)},
	{Op: "LookupTableSizeV2", New: kernel.Stateless(size)},
	{Op: "LookupTableImport", New: kernel.Stateless(withPairs(table.importValues))},
	{Op: "LookupTableImportV2", New: kernel.Stateless(withPairs(table.importValues))},
	{Op: "LookupTableExport", New: kernel.Stateless(export)},
	{Op: "LookupTableExportV2", New: kernel.Stateless(export)},
	{Op: "LookupTableInsert", New: kernel.Stateless(withPairs(table.insert))},
	{Op: "LookupTableInsertV2", New: kernel.Stateless(withPairs(table.insert))},
	{Op: "LookupTableRemoveV2", New: kernel.Stateless(remove)},
}
