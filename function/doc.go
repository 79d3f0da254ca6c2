// Package function instantiates and inlines TensorFlow functions: the
// FunctionDefs of a GraphDef's library that tf.function, Keras and TF2
// SavedModels call through PartitionedCall and StatefulPartitionedCall.
//
// # Instantiation
//
// [Instantiate] turns one FunctionDef, with the attribute values of a call
// (the "f" attribute's map, or a direct call's node attributes), into a
// [Body]: GraphDef-shaped nodes whose inputs are plain "node", "node:k"
// and "^node" references, one Placeholder per argument tensor, and the
// tensors and nodes the function returns. This is TensorFlow's
// InstantiateFunction (core/framework/function.cc):
//
//   - An argument of N tensors (a number attribute or a list(type)
//     attribute) becomes N placeholders, named after the argument
//     ("x"), or "x_0", "x_1", … when it stands for several tensors.
//   - A body input "node:out_arg:i" is output start+i of the node, where
//     start is where out_arg begins among the op's outputs; "node:out_arg"
//     stands for all of out_arg's tensors. The op's output arguments come
//     from its registered signature ([opdefs.SignatureOf]), from the op
//     list a SavedModel carries ([WithOpList]) for ops the project does
//     not know, or from the callee's signature when the op is itself a
//     function. A reference that needs an op nobody describes is an error
//     naming the function, the node and the op.
//   - Attribute placeholders ("$T") in body nodes take the call's values,
//     or the function signature's defaults.
//   - ret maps each output argument to the tensors returned;
//     control_ret and the signature's control outputs give the nodes that
//     must run when the function runs.
//
// # Inlining
//
// [Inline] replaces one call node of a GraphDef — PartitionedCall,
// StatefulPartitionedCall, or a node whose op is a library function — by
// the callee's body, as TensorFlow's InlineFunctionBody does with the
// options grappler and the SavedModel loader use for function calls:
//
//   - Body nodes are named "call/node", so names stay unique and say
//     where they came from; each argument becomes an Identity
//     "call/arg" of the call's input.
//   - When the call has control inputs, a NoOp "call/input_control_node"
//     takes them, and every argument Identity and every body node without
//     inputs waits for it: nothing in the body starts before the call
//     could have.
//   - The call node itself becomes an IdentityN of the same name over
//     the returned tensors (a NoOp when nothing is returned), with
//     control inputs from the control returns, so "call:k" fetches and
//     "^call" control edges keep their meaning: what depends on the call
//     waits for everything the function promised to run.
//   - Calls inside the body are inlined in turn, to any depth; a function
//     that calls itself is an error.
//
// Functional control flow (If, While, Case) is not inlined: their
// branches and bodies stay functions.
//
// # Errors
//
// Errors are one line naming the function and, where one is concerned,
// the node and op. [ErrNotFound] is wrapped when a function is missing
// from the library, [ErrNotCall] when Inline is asked to inline a node
// that calls nothing, and [*UnknownOpError] reports a body node whose
// outputs cannot be resolved.
package function
