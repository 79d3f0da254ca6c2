package lookup

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newCreate returns the factory of HashTable(V2) or MutableHashTable(V2):
// each run outputs the handle of the node's table, created in the
// executor's registry by the first run (LookupTableOp).
func newCreate(mutable, resource bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		s, err := readSpec(n, mutable)
		if err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, _ []*tensor.Tensor) ([]*tensor.Tensor, error) {
			r, err := registryOf(ctx)
			if err != nil {
				return nil, err
			}
			t, id, err := r.lookupOrCreate(s, ctx.Node.Def)
			if err != nil {
				return nil, err
			}
			if resource {
				return []*tensor.Tensor{resourceHandle(t)}, nil
			}
			return []*tensor.Tensor{refHandle(id)}, nil
		}, nil
	}
}

// tableAnd returns the table of a table op's first input after checking
// that the op has n inputs.
func tableAnd(ctx *kernel.Context, in []*tensor.Tensor, n int) (table, error) {
	if err := kernel.CheckInputs(in, n); err != nil {
		return nil, err
	}
	return tableOf(ctx, in[0])
}

// initializableTable is tableAnd for the ops that initialise a HashTable
// (GetInitializableLookupTable).
func initializableTable(ctx *kernel.Context, in []*tensor.Tensor, n int) (table, error) {
	t, err := tableAnd(ctx, in, n)
	if err != nil {
		return nil, err
	}
	if !t.initializable() {
		return nil, kernel.Invalid("Table %s is not initializable", t.name())
	}
	return t, nil
}

// initializeTable is InitializeTable(V2): keys and values, two vectors of
// the same length, fill the table once.
func initializeTable(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t, err := initializableTable(ctx, in, 3)
	if err != nil {
		return nil, err
	}
	keys, values := in[1], in[2]
	if keys.DType() != t.keyType() || values.DType() != t.valueType() {
		return nil, kernel.Invalid("expected keys and values of %v and %v for table %s, got %v and %v", t.keyType(), t.valueType(), t.name(), keys.DType(), values.DType())
	}
	if keys.Rank() != 1 {
		return nil, kernel.Invalid("Keys must be a vector, but received shape%v", keys.Shape())
	}
	if values.Rank() != 1 {
		return nil, kernel.Invalid("Values must be a vector, but received shape%v", values.Shape())
	}
	if keys.NumElements() != values.NumElements() {
		return nil, kernel.Invalid("Keys and values must have the same size %d vs %d", keys.NumElements(), values.NumElements())
	}
	return nil, t.initialize(keys, values)
}

// find is LookupTableFind(V2).
func find(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t, err := tableAnd(ctx, in, 3)
	if err != nil {
		return nil, err
	}
	out, err := t.find(in[1], in[2])
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{out}, nil
}

// size is LookupTableSize(V2): the number of entries, 0 for a HashTable
// not yet initialised.
func size(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t, err := tableAnd(ctx, in, 1)
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{tensor.Scalar(t.size())}, nil
}

// withPairs returns the kernel of an op that gives a table keys and
// values: LookupTableImport(V2) (table.importValues) and
// LookupTableInsert(V2) (table.insert).
func withPairs(op func(t table, keys, values *tensor.Tensor) error) kernel.Kernel {
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		t, err := tableAnd(ctx, in, 3)
		if err != nil {
			return nil, err
		}
		return nil, op(t, in[1], in[2])
	}
}

// export is LookupTableExport(V2): the keys and values, sorted by key
// (TensorFlow's order is its hash map's).
func export(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t, err := tableAnd(ctx, in, 1)
	if err != nil {
		return nil, err
	}
	if dt, _ := ctx.Node.Attrs.Type("Tkeys", t.keyType()); dt != t.keyType() {
		return nil, kernel.Invalid("Tkeys is %v but table %s has %v keys", dt, t.name(), t.keyType())
	}
	if dt, _ := ctx.Node.Attrs.Type("Tvalues", t.valueType()); dt != t.valueType() {
		return nil, kernel.Invalid("Tvalues is %v but table %s has %v values", dt, t.name(), t.valueType())
	}
	keys, values, err := t.export()
	if err != nil {
		return nil, err
	}
	return []*tensor.Tensor{keys, values}, nil
}

// remove is LookupTableRemoveV2, for mutable tables.
func remove(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
	t, err := tableAnd(ctx, in, 2)
	if err != nil {
		return nil, err
	}
	return nil, t.remove(in[1])
}
