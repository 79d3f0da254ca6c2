package lists

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Arrays and lists hold elements
// of every dtype; the rows name the attribute that gives it.
var kernels = []kernel.Def{
	{Op: "TensorArrayV3", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayV3},
	{Op: "TensorArrayGradV3", New: newTensorArrayGrad},
	{Op: "TensorArrayGradWithShape", New: newTensorArrayGrad},
	{Op: "TensorArrayWriteV3", DTypes: elementTypes(), New: kernel.Stateless(taWrite)},
	{Op: "TensorArrayReadV3", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayRead},
	{Op: "TensorArrayGatherV3", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayGather},
	{Op: "TensorArrayScatterV3", DTypes: elementTypes(), New: kernel.Stateless(taScatter)},
	{Op: "TensorArrayConcatV3", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayConcat},
	{Op: "TensorArraySplitV3", DTypes: elementTypes(), New: kernel.Stateless(taSplit)},
	{Op: "TensorArraySizeV3", New: kernel.Stateless(taSize)},
	{Op: "TensorArrayCloseV3", New: kernel.Stateless(taClose)},

	// TensorFlow 1's TensorArray and TensorArrayV2 ops pass a string
	// handle (V1 a Ref(string)) and create arrays without a flow output;
	// otherwise they are the V3 ops, whose kernels they share. The handle
	// travels as the V3 resource.
	{Op: "TensorArray", DTypes: elementTypes(), TypeAttr: "dtype", New: handleOnly(newTensorArrayV3)},
	{Op: "TensorArrayV2", DTypes: elementTypes(), TypeAttr: "dtype", New: handleOnly(newTensorArrayV3)},
	{Op: "TensorArrayGrad", New: handleOnly(newTensorArrayGrad)},
	{Op: "TensorArrayGradV2", New: handleOnly(newTensorArrayGrad)},
	{Op: "TensorArrayWrite", DTypes: elementTypes(), New: kernel.Stateless(taWrite)},
	{Op: "TensorArrayWriteV2", DTypes: elementTypes(), New: kernel.Stateless(taWrite)},
	{Op: "TensorArrayRead", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayRead},
	{Op: "TensorArrayReadV2", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayRead},
	{Op: "TensorArrayGather", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayGather},
	{Op: "TensorArrayGatherV2", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayGather},
	{Op: "TensorArrayScatter", DTypes: elementTypes(), New: kernel.Stateless(taScatter)},
	{Op: "TensorArrayScatterV2", DTypes: elementTypes(), New: kernel.Stateless(taScatter)},
	{Op: "TensorArrayConcat", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayConcat},
	{Op: "TensorArrayConcatV2", DTypes: elementTypes(), TypeAttr: "dtype", New: newTensorArrayConcat},
	{Op: "TensorArraySplit", DTypes: elementTypes(), New: kernel.Stateless(taSplit)},
	{Op: "TensorArraySplitV2", DTypes: elementTypes(), New: kernel.Stateless(taSplit)},
	{Op: "TensorArraySize", New: kernel.Stateless(taSize)},
	{Op: "TensorArraySizeV2", New: kernel.Stateless(taSize)},
	{Op: "TensorArrayClose", New: kernel.Stateless(taClose)},
	{Op: "TensorArrayCloseV2", New: kernel.Stateless(taClose)},

	{Op: "EmptyTensorList", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newEmptyTensorList},
	{Op: "TensorListReserve", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListReserve},
	{Op: "TensorListFromTensor", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListFromTensor},
	{Op: "TensorListGetItem", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListGetItem},
	{Op: "TensorListSetItem", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListSetItem},
	{Op: "TensorListStack", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListStack},
	{Op: "TensorListPushBack", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListPushBack},
	{Op: "TensorListPopBack", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListPopBack},
	{Op: "TensorListLength", New: kernel.Stateless(tlLength)},
	{Op: "TensorListElementShape", New: newTensorListElementShape},
	{Op: "TensorListGather", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListGather},
	{Op: "TensorListScatter", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListScatter},
	{Op: "TensorListScatterV2", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListScatter},
	{Op: "TensorListScatterIntoExistingList", DTypes: elementTypes(), TypeAttr: "element_dtype", New: kernel.Stateless(tlScatterIntoExisting)},
	{Op: "TensorListConcat", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListConcat},
	{Op: "TensorListConcatV2", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListConcat},
	{Op: "TensorListSplit", DTypes: elementTypes(), TypeAttr: "element_dtype", New: kernel.Stateless(tlSplit)},
	{Op: "TensorListResize", New: kernel.Stateless(tlResize)},
	{Op: "TensorListConcatLists", DTypes: elementTypes(), TypeAttr: "element_dtype", New: newTensorListConcatLists},
}

// handleOnly adapts a V3 kernel that outputs (handle, flow) to its V1 and
// V2 forms, which output the handle alone.
func handleOnly(f kernel.Factory) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		k, err := f(n)
		if err != nil {
			return nil, err
		}
		return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			out, err := k(ctx, in)
			if err != nil {
				return nil, err
			}
			return out[:1], nil
		}, nil
	}
}

// elementTypes are the dtypes an array or a list holds: all of them.
func elementTypes() []tensor.DType { return kernel.AllTypes() }
