package tfpb

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// ProtoPackage is the proto package this package's messages are registered
// under; TensorFlow's own is "tensorflow".
const ProtoPackage = "tfoffload.tensorflow"

// Resolver finds message types by the names TensorFlow writes into data:
// "tensorflow.X" (in an Any's type URL or a text proto's expanded Any)
// resolves to this package's X, registered as "tfoffload.tensorflow.X";
// every other name resolves as in protoregistry.GlobalTypes. Pass it as
// the Resolver of prototext, protojson and proto unmarshal options and
// to anypb.UnmarshalNew. It is safe for concurrent use.
var Resolver interface {
	protoregistry.MessageTypeResolver
	protoregistry.ExtensionTypeResolver
} = resolver{}

type resolver struct{}

// ours maps a TensorFlow message name to this package's.
func ours(name protoreflect.FullName) protoreflect.FullName {
	if rest, ok := strings.CutPrefix(string(name), "tensorflow."); ok {
		return protoreflect.FullName(ProtoPackage + "." + rest)
	}
	return name
}

func (resolver) FindMessageByName(name protoreflect.FullName) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(ours(name))
}

func (r resolver) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	name := url
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		name = url[i+1:]
	}
	return r.FindMessageByName(protoreflect.FullName(name))
}

func (resolver) FindExtensionByName(field protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByName(field)
}

func (resolver) FindExtensionByNumber(message protoreflect.FullName, field protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByNumber(ours(message), field)
}
