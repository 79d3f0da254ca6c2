// Package lists implements tfexec's kernels for TensorFlow's tensor
// containers: the TF1 TensorArray, which tf.while_loop and tf.TensorArray
// build on, and the TF2 TensorList, which lowered TF2 loops (and
// TensorFlow.js graphs converted from them) carry through Enter, Merge and
// NextIteration as variant scalars. Importing the package registers its
// kernel table (ops.go), one row an op with the dtypes its kernel
// implements.
//
// # TensorArray
//
// TensorArrayV3, TensorArrayWriteV3, TensorArrayReadV3,
// TensorArrayGatherV3, TensorArrayScatterV3, TensorArrayConcatV3,
// TensorArraySplitV3, TensorArraySizeV3, TensorArrayCloseV3,
// TensorArrayGradV3 and TensorArrayGradWithShape, for every dtype.
//
// Each execution of TensorArrayV3 creates a new array and outputs a
// resource scalar that holds it, with a float32 flow scalar of 0; every
// run, and every loop iteration that runs the node, so gets its own, as in
// TensorFlow, where arrays live in the per-step resource container. The
// other ops find the array through the handle; a mutex per array makes
// them safe when a run reaches it from several goroutines. Write, Scatter
// and Split pass their flow input through.
//
// The semantics are TensorFlow's (tensor_array.h): an index may be written
// once (a second write fails, even with the same value) and not after it
// was read; with clear_after_read (the default) an index may be read once.
// Reading an index never written gives zeros when element_shape is fully
// defined (number dtypes only) and fails otherwise. dynamic_size arrays
// grow on writes past the end; others fail. identical_element_shapes fixes
// the element shape at the first write. Writes check the value's dtype
// and its shape against element_shape; Gather and Concat check that the
// elements agree. Gradient arrays (TensorArrayGradV3, one per forward
// array and source) add up repeated writes.
//
// TensorFlow 1's V1 and V2 forms (TensorArray, TensorArrayV2,
// TensorArrayWrite, TensorArrayWriteV2, … TensorArrayGradV2) share these
// kernels. In TensorFlow their handle is a string (V1 a Ref(string))
// naming the array in a per-step resource manager; here it is the same
// resource value V3 passes, which reaches every op that the graph's edges
// connect to the array. The constructors and gradient ops output the
// handle alone, without V3's flow. A handle string made some other way
// (a constant) names no array.
//
// # TensorList
//
// EmptyTensorList, TensorListReserve, TensorListFromTensor,
// TensorListGetItem, TensorListSetItem, TensorListStack,
// TensorListPushBack, TensorListPopBack, TensorListLength,
// TensorListElementShape, TensorListGather, TensorListScatter,
// TensorListScatterV2, TensorListScatterIntoExistingList,
// TensorListConcat, TensorListConcatV2, TensorListSplit, TensorListResize
// and TensorListConcatLists, for every dtype.
//
// A list is a variant scalar holding an immutable Go value. Ops that
// change a list (SetItem, PushBack, PopBack, Resize, ScatterIntoExisting)
// return a new list and never touch their input, which other consumers
// may still read: they copy the slice of element pointers, not the
// elements. That costs O(length) per op where TensorFlow, which can
// forward a list it holds the only reference to, appends in place; a loop
// that sets every element of a list of n is O(n²) pointer copies, fine
// for the lengths real models use.
//
// A Const of dtype variant holding a list serialised by TensorFlow
// (TensorList::Encode, what constant folding leaves in frozen graphs) is
// read as that list.
//
// Elements of FromTensor, Scatter and Split share the input tensor's
// memory instead of copying it. Unset elements (from Reserve, Resize or a
// sparse Scatter) read as zeros of the element shape when the list's
// element_shape, the op's element_shape input and (for GetItem, Stack and
// Gather) the set elements together define it fully, and are an error
// otherwise, as in TensorFlow. Index checks are those of TensorFlow's
// current kernels (negative indices are errors).
//
// Not implemented: TensorListPushBackBatch, and the variant arithmetic
// (AddN, ZerosLike on lists) that only gradient graphs use. Zeros of
// variant elements (unset elements of a list of lists) are an
// ErrUnsupported error.
package lists
