// Package tfproto exposes the TensorFlow protocol buffer messages
// tfoffload reads (GraphDef, MetaGraphDef, SignatureDef, TensorProto,
// Example, ConfigProto, …) as aliases of its own generated types, for the proto
// packages of the drop-in modules under compat/shims, which cannot import
// tfoffload's internal packages. The wire format is TensorFlow's.
package tfproto
