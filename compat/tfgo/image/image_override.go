package image

import tf "github.com/tfoffload/tfoffload/compat/tf"

// The methods of *tfgo.Tensor that return *Tensor, returning *Image.

// Clone returns a copy of the image in a new scope.
func (image *Image) Clone() *Image {
	return &Image{Tensor: image.Tensor.Clone()}
}

// Cast casts the image to dtype.
func (image *Image) Cast(dtype tf.DataType) *Image {
	image.Tensor = image.Tensor.Cast(dtype)
	return image
}

// Add adds tfout, cast to the image's type.
func (image *Image) Add(tfout tf.Output) *Image {
	image.Tensor = image.Tensor.Add(tfout)
	return image
}

// Mul multiplies by tfout, cast to the image's type.
func (image *Image) Mul(tfout tf.Output) *Image {
	image.Tensor = image.Tensor.Mul(tfout)
	return image
}

// Pow raises the image to y.
func (image *Image) Pow(y tf.Output) *Image {
	image.Tensor = image.Tensor.Pow(y)
	return image
}

// Square squares the image.
func (image *Image) Square() *Image {
	image.Tensor = image.Tensor.Square()
	return image
}

// Sqrt takes the square root of the image.
func (image *Image) Sqrt() *Image {
	image.Tensor = image.Tensor.Sqrt()
	return image
}
