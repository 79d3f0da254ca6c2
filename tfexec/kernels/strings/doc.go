// Package strings implements tfexec's kernels for TensorFlow's string
// ops, with the semantics of TensorFlow's CPU kernels. Importing the
// package registers its kernel table (ops.go).
//
// # Ops
//
//   - Splitting: StringSplit (cut at any byte of the delimiter) and
//     StringSplitV2 (Python's str.split), both returning a sparse tensor;
//     StringNGrams over a ragged vector.
//   - Regular expressions: RegexReplace, StaticRegexReplace,
//     RegexFullMatch, StaticRegexFullMatch.
//   - Editing: Substr (BYTE and UTF8_CHAR units, broadcasting), StringJoin,
//     ReduceJoin, StringStrip, StringLower, StringUpper, StringLength.
//   - Conversion: StringToNumber (numbers.cc's parsing rules) and AsString
//     (printf formatting, with C's "inf" and "nan").
//   - Hashing: StringToHashBucketFast (farmhash Fingerprint64),
//     StringToHashBucketStrong (SipHash-2-4) and StringToHashBucket
//     (TensorFlow's Hash64).
//
// # Regular expressions
//
// TensorFlow compiles patterns with RE2; Go's regexp implements RE2's
// syntax and leftmost-first semantics, so patterns mean the same. What
// RE2 accepts and Go does not (\C, any single byte) is refused as an
// invalid pattern. Rewrites use RE2's syntax: \0 to \9 insert a group,
// \\ a backslash; a rewrite naming a group the pattern lacks leaves the
// string unchanged, as RE2::Replace does.
//
// # Case mapping
//
// StringLower and StringUpper with encoding "utf-8" apply Unicode's full
// case mapping in the root locale (golang.org/x/text/cases), as ICU does
// for TensorFlow: ß upper is SS, İ lower is i̇, a final sigma lower is ς.
// Invalid UTF-8 bytes become U+FFFD one by one (ICU replaces a maximal
// invalid subsequence at once, which differs for truncated sequences).
// With encoding "" only ASCII letters change, as in TensorFlow.
//
// None of these ops has an ONNX translator: string tensors stay on the
// executor (ARCHITECTURE.md), and ONNX's string operators
// (StringNormalizer, StringSplit, StringConcat, RegexFullMatch) do not
// carry TensorFlow's semantics (locale-dependent casing, no sparse
// outputs, no RE2 rewrites).
package strings
