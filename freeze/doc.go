// Package freeze turns a model that still holds variables — a SavedModel
// (TensorFlow 1 or 2, Keras included) or a TF1 MetaGraph with its
// checkpoint — into frozen GraphDefs: variables become constants holding
// their checkpoint values, function calls are inlined, and what serving
// does not need goes. It does what TensorFlow's
// convert_variables_to_constants(_v2) does, plus the simplifications that
// let the offload partitioner see a Keras model as one cluster.
//
// # Use
//
// [SavedModel] freezes every signature of a SavedModel directory into
// its own GraphDef; [Checkpoint] does the same for a .meta file and a
// checkpoint, which usually needs [WithOutputs] since TF1 MetaGraphs have
// no signatures. [Model] freezes an already loaded model into one graph
// that serves every signature that can be frozen — what bridge does on
// load. Each returns a [Report]: the variables and their checkpoint keys,
// and for every signature whether it was frozen or why not.
//
// # Variables
//
// Every variable node of the graph (VariableV2, Variable, VarHandleOp) is
// mapped to its checkpoint key, in this order:
//
//  1. through the saver's restore op (saver_def.restore_op_name): the
//     assignments it runs, each from output k of a RestoreV2 (Restore,
//     RestoreSlice) whose tensor_names and shape_and_slices inputs give
//     the key and the slice; a TF2 restore op is a call of
//     __inference__traced_restore, inlined to be read;
//  2. through every other restore op of the graph (a second saver);
//  3. for TF2, through the object graph: a signature function's captured
//     inputs (SavedConcreteFunction.bound_inputs) are objects of the
//     SavedObjectGraph, matched from the root by child names to the
//     checkpoint's TrackableObjectGraph, whose attributes give the key;
//     a key found both ways must agree;
//  4. last, the variable's own name or shared_name, when the checkpoint
//     has such a key.
//
// A variable's value is read from the checkpoint once (cut out of the
// full tensor for a part of a partitioned variable), checked against the
// variable's dtype and shape, and shared by every graph that needs it. A
// VariableV2 becomes a Const of the same name; for a resource variable,
// each ReadVariableOp becomes an Identity of the VarHandleOp made a
// Const, ResourceGather(Nd) a GatherV2 (GatherNd), VarIsInitializedOp
// the constant true and VariableShape the constant shape.
//
// # Signatures
//
// Each signature's graph is pruned to its outputs (and inputs), its calls
// are inlined with package function, and every call of a function with an
// "api_implements" alternative for CPU (the Keras LSTM and GRU layers'
// cuDNN bodies) calls the CPU body instead. A signature that reaches an op
// that changes state — an assignment, an optimizer step, a scatter
// update, a table initialisation, a saver — is refused with a
// [*StatefulError] naming the node; the model's other signatures still
// freeze. Save and restore graphs, initialisers and training ops are not
// reachable from serving outputs and go with the pruning.
//
// # Lookup tables
//
// A signature that reads a lookup table (LookupTableFind(V2),
// LookupTableSize(V2), LookupTableExport(V2) of a HashTable(V2), as
// tf.Transform vocabularies and tf.lookup.StaticHashTable make) gets the
// table's contents as constants, computed the way TensorFlow's loader
// computes them: once per model, the initialisers of the model's init op
// that fill the table (InitializeTable(V2),
// InitializeTableFromTextFile(V2), LookupTableImport(V2)) run on package
// tfexec, with the SavedModel's asset tensors (asset_file_def, or TF1's
// saved_model_assets collection) fed the paths of its assets/ files. The
// init op is the __saved_model_init_op signature (TF2, whose initialiser
// functions are inlined), else the saved_model_main_op collection, else
// legacy_init_op; a MetaGraph with none of them (a checkpoint's .meta
// file) has its table_initializer collection, what tf.tables_initializer
// runs. Files are read only inside the model directory, under
// graph.OpenModelFile's rules; tables are matched by container and
// shared_name (by node for tables without one), as TensorFlow's resource
// manager matches them.
//
// The frozen graph then holds the table as TensorFlow serialises an
// initialised table itself (InitializableLookupTable's
// InitializerSerializer): the table's node, a LookupTableImportV2 (V1:
// LookupTableImport) of Const keys and values, and a control edge from
// the import to every reader. The first run of the frozen graph fills the
// table and later runs find it filled (a second initialisation is a
// no-op), so no file is read at run time and the frozen graph runs the
// same in TensorFlow. LookupTableSize(V2) becomes its constant. The
// report lists each table ([Report.Tables]). A table that the init op
// does not initialise ([ErrTableNotInitialized]), whose initialisation
// fails (a missing or unsafe vocabulary file, a key with two values), or
// that is not a HashTable (a MutableHashTable, whose contents may change)
// refuses the signatures that read it with a [*TableError] naming it; the
// model's other signatures still freeze. Initialising a table is allowed
// at load only: a signature that itself initialises, inserts into or
// removes from a table is refused with a [*StatefulError].
//
// # Simplification
//
// Then, in rounds until nothing changes:
//
//   - every PlaceholderWithDefault the signature does not feed
//     (keras_learning_phase, a training flag, a dropout keep probability)
//     takes its default, once, before the first round;
//   - constants fold: a stateless node whose inputs are all constants is
//     evaluated by package tfexec and replaced by constants, unless its
//     outputs would take more than [WithFoldRatio] times its inputs'
//     bytes (and more than [SmallConstBytes]); Select between constant
//     all-true or all-false conditions picks its branch;
//   - a Switch with a constant predicate loses its dead branch, and its
//     Merges keep their live inputs;
//   - identities and no-ops are bypassed, and needless control edges go;
//   - the graph is pruned to the signature.
//
// Folded constants keep the control inputs of what they were folded from,
// so a constant inside a cond branch stays there. A signature's input and
// output nodes keep their names, so a frozen graph is fed and fetched by
// the same tensor names as the SavedModel's signature; the stand-in
// IdentityN of an inlined call carries a TF2 signature's outputs.
//
// # Not done
//
// Variables read inside functional control flow (a handle passed into If
// or While) are refused with an error naming the node. Mutable tables,
// dense hash tables and tables a function creates privately are not made
// constant. The init op runs as TensorFlow runs it, without a time limit.
package freeze
