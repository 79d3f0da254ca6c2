package strings

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// asStringTypes are the dtypes AsString implements: its signature's
// list but variant.
var asStringTypes = append(kernel.RealTypes(), tensor.Complex64, tensor.Complex128, tensor.Bool, tensor.String)

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "AsString", DTypes: asStringTypes, New: newAsString},
	{Op: "ReduceJoin", New: newReduceJoin},
	{Op: "RegexFullMatch", New: newRegexFullMatch},
	{Op: "RegexReplace", New: newRegexReplace},
	{Op: "StaticRegexFullMatch", New: newStaticRegexFullMatch},
	{Op: "StaticRegexReplace", New: newStaticRegexReplace},
	{Op: "StringJoin", New: newStringJoin},
	{Op: "StringLength", New: newStringLength},
	{Op: "StringLower", New: newCaseMap(asciiLower, unicodeLower)},
	{Op: "StringNGrams", DTypes: splitsTypes, TypeAttr: "Tsplits", New: newStringNGrams},
	{Op: "StringSplit", New: newStringSplit},
	{Op: "StringSplitV2", New: newStringSplitV2},
	{Op: "StringStrip", New: func(n *kernel.Node) (kernel.Kernel, error) { return stringMap(n, stripSpace), nil }},
	{Op: "StringToHashBucket", New: newHashBucket},
	{Op: "StringToHashBucketFast", New: newHashBucketFast},
	{Op: "StringToHashBucketStrong", New: newHashBucketStrong},
	{Op: "StringToNumber", DTypes: stringToNumberTypes, TypeAttr: "out_type", New: newStringToNumber},
	{Op: "StringUpper", New: newCaseMap(asciiUpper, unicodeUpper)},
	{Op: "Substr", DTypes: substrTypes, New: newSubstr},
}
