// Package strings implements tfexec's kernels for TensorFlow's string
// ops, with the semantics of TensorFlow's CPU kernels:
// string_to_hash_bucket_op.cc (StringToHashBucketFast: farmhash's
// Fingerprint64 of each string modulo num_buckets) and as_string_op.cc
// (AsString: printf formatting of integers, floats and booleans, with
// its precision, scientific, shortest, width and fill attributes).
// Importing the package registers its kernel table (ops.go).
package strings
