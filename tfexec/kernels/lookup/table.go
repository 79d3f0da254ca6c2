package lookup

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// table is one lookup table, the state behind a table handle, with the
// semantics of TensorFlow's LookupInterface implementations: HashTable
// (an InitializableLookupTable, read-only once initialised) and
// MutableHashTableOfScalars. Its methods are safe for concurrent use.
type table interface {
	// name is "container name", for messages.
	name() string
	keyType() tensor.DType
	valueType() tensor.DType
	// initializable reports a HashTable, which the Initialize ops fill.
	initializable() bool
	isInitialized() bool
	size() int64
	// find looks every key up, giving def (a scalar, or one default per
	// key) for missing ones.
	find(keys, def *tensor.Tensor) (*tensor.Tensor, error)
	// initialize fills a HashTable from keys and values of the same
	// shape, once: see hashTable.initialize.
	initialize(keys, values *tensor.Tensor) error
	// importValues replaces the contents (LookupTableImport).
	importValues(keys, values *tensor.Tensor) error
	insert(keys, values *tensor.Tensor) error
	remove(keys *tensor.Tensor) error
	// export returns every key and its value, sorted by key.
	export() (keys, values *tensor.Tensor, err error)
}

// key and value are the Go types of the dtypes tables hold.
type key interface{ string | int32 | int64 }

type value interface {
	string | int32 | int64 | float32 | float64 | bool
}

// hashTable is a HashTable or a MutableHashTableOfScalars from K to V.
type hashTable[K key, V value] struct {
	label   string
	kt, vt  tensor.DType
	mutable bool

	mu          sync.RWMutex
	initialized bool // HashTable only: set once, and then m never changes
	m           map[K]V
}

func (t *hashTable[K, V]) name() string            { return t.label }
func (t *hashTable[K, V]) keyType() tensor.DType   { return t.kt }
func (t *hashTable[K, V]) valueType() tensor.DType { return t.vt }
func (t *hashTable[K, V]) initializable() bool     { return !t.mutable }

func (t *hashTable[K, V]) isInitialized() bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.initialized
}

// size is the number of entries; 0 for a HashTable not yet initialised.
func (t *hashTable[K, V]) size() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return int64(len(t.m))
}

// checkTypes is LookupInterface::CheckKeyAndValueTypes.
func (t *hashTable[K, V]) checkTypes(keys, values *tensor.Tensor) error {
	if keys.DType() != t.kt {
		return kernel.Invalid("Key must be type %v but got %v", t.kt, keys.DType())
	}
	if values.DType() != t.vt {
		return kernel.Invalid("Value must be type %v but got %v", t.vt, values.DType())
	}
	return nil
}

// checkPairs is CheckKeyAndValueTensorsForInsert (and ForImport): the
// types, and one value per key, of the keys' shape.
func (t *hashTable[K, V]) checkPairs(keys, values *tensor.Tensor) error {
	if err := t.checkTypes(keys, values); err != nil {
		return err
	}
	if !values.Shape().Equal(keys.Shape()) {
		return kernel.Invalid("Expected shape %v for value, got %v", keys.Shape(), values.Shape())
	}
	return nil
}

func (t *hashTable[K, V]) find(keys, def *tensor.Tensor) (*tensor.Tensor, error) {
	if err := t.checkTypes(keys, def); err != nil {
		return nil, err
	}
	// The table's value shape is a scalar: the default is one, or one
	// per key (TensorFlow 2.9 and later).
	perKey := def.Rank() > 0
	if perKey && !def.Shape().Equal(keys.Shape()) {
		return nil, kernel.Invalid("Expected shape [] or %v for default value, got %v", keys.Shape(), def.Shape())
	}
	out, err := tensor.New(t.vt, keys.Shape())
	if err != nil {
		return nil, err
	}
	ks, ds, vs := tensor.Values[K](keys), tensor.Values[V](def), tensor.Values[V](out)
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.mutable && !t.initialized {
		return nil, kernel.Invalid("Table not initialized.")
	}
	for i, k := range ks {
		v, ok := t.m[k]
		switch {
		case ok:
			vs[i] = v
		case perKey:
			vs[i] = ds[i]
		default:
			vs[i] = ds[0]
		}
	}
	return out, nil
}

// initialize is InitializableLookupTable::Initialize for a HashTable: it
// inserts every pair, a key given twice with two values being an error,
// and marks the table initialised. A table already initialised is left
// as it is when it holds as many entries as keys has (TensorFlow's
// AreEntriesSame compares sizes only), and is an error otherwise. A
// failed initialisation leaves the table empty and uninitialised.
func (t *hashTable[K, V]) initialize(keys, values *tensor.Tensor) error {
	if t.mutable {
		return kernel.Invalid("Table %s is not initializable", t.label)
	}
	if err := t.checkPairs(keys, values); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.initialized {
		if len(t.m) != keys.NumElements() {
			return kernel.Invalid("Table was already initialized with different data.")
		}
		return nil
	}
	m := make(map[K]V, keys.NumElements())
	vs := tensor.Values[V](values)
	for i, k := range tensor.Values[K](keys) {
		prev, dup := m[k]
		if !dup {
			m[k] = vs[i]
		} else if prev != vs[i] {
			return kernel.Invalid("HashTable has different value for same key. Key %v has %v and trying to add value %v", k, prev, vs[i])
		}
	}
	t.m, t.initialized = m, true
	return nil
}

// importValues is ImportValues: initialisation for a HashTable, clearing
// and inserting for a mutable table.
func (t *hashTable[K, V]) importValues(keys, values *tensor.Tensor) error {
	if !t.mutable {
		return t.initialize(keys, values)
	}
	return t.store(keys, values, true)
}

func (t *hashTable[K, V]) insert(keys, values *tensor.Tensor) error {
	if !t.mutable {
		return fmt.Errorf("Insert not supported by InitializableLookupTable implementations %w", kernel.ErrUnsupported)
	}
	return t.store(keys, values, false)
}

// store inserts or updates every pair of a mutable table, after clearing
// it when clear is set.
func (t *hashTable[K, V]) store(keys, values *tensor.Tensor, clear bool) error {
	if err := t.checkPairs(keys, values); err != nil {
		return err
	}
	vs := tensor.Values[V](values)
	t.mu.Lock()
	defer t.mu.Unlock()
	if clear || t.m == nil {
		t.m = make(map[K]V, keys.NumElements())
	}
	for i, k := range tensor.Values[K](keys) {
		t.m[k] = vs[i]
	}
	return nil
}

func (t *hashTable[K, V]) remove(keys *tensor.Tensor) error {
	if !t.mutable {
		return fmt.Errorf("Remove not supported by InitializableLookupTable implementations %w", kernel.ErrUnsupported)
	}
	if keys.DType() != t.kt {
		return kernel.Invalid("Key must be type %v but got %v", t.kt, keys.DType())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range tensor.Values[K](keys) {
		delete(t.m, k)
	}
	return nil
}

func (t *hashTable[K, V]) export() (*tensor.Tensor, *tensor.Tensor, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if !t.mutable && !t.initialized {
		return nil, nil, kernel.Invalid("HashTable is not initialized.")
	}
	n := len(t.m)
	keys, err := tensor.New(t.kt, tensor.Shape{n})
	if err != nil {
		return nil, nil, err
	}
	values, err := tensor.New(t.vt, tensor.Shape{n})
	if err != nil {
		return nil, nil, err
	}
	ks, vs := tensor.Values[K](keys), tensor.Values[V](values)
	i := 0
	for k := range t.m {
		ks[i] = k
		i++
	}
	slices.SortFunc(ks, cmp.Compare[K])
	for i, k := range ks {
		vs[i] = t.m[k]
	}
	return keys, values, nil
}
